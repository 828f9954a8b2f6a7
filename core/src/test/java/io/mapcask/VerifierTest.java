package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Mapcask#verify}: a clean store verifies with the exact counts; a seeded flipped byte in a
 * sealed segment, a hint or the manifest is reported with that file and an offset that places
 * it; crash leftovers are warnings, not problems; a held store is refused; nothing is ever
 * changed in the directory.
 */
class VerifierTest {
    @TempDir
    Path tmp;

    private static final MapcaskOptions SMALL =
            MapcaskOptions.builder().segmentSize(32 << 10).compactionBackground(false).build();

    /** A closed store with many sealed segments (hints), overwrites, deletes, a batch and a compaction. */
    private Path template(Random rnd) {
        Path dir = tmp.resolve("template");
        try (Mapcask db = Mapcask.open(dir, SMALL)) {
            for (int i = 0; i < 900; i++) {
                byte[] key = ("k" + rnd.nextInt(300)).getBytes(StandardCharsets.UTF_8);
                if (rnd.nextInt(8) == 0) {
                    db.delete(key);
                } else {
                    db.put(key, new byte[rnd.nextInt(200)]);
                }
                if (i == 450) {
                    db.write(new WriteBatch().put(new byte[] {1}, new byte[3]).delete(new byte[] {2}));
                    db.compact();
                }
            }
        }
        return dir;
    }

    private Path copy(Path from, String name) throws IOException {
        Path to = tmp.resolve(name);
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
        return to;
    }

    private static VerificationReport verifyUnchanged(Path dir) {
        Map<String, StoreFiles.FileState> before = StoreFiles.snapshot(dir);
        VerificationReport r = Mapcask.verify(dir);
        StoreFiles.assertUnchanged(before, dir, "verify");
        return r;
    }

    private static String describe(VerificationReport r) {
        return r + "\nproblems: " + r.problems() + "\nwarnings: " + r.warnings();
    }

    @Test
    void shouldVerifyACleanStoreWithExactCounts() {
        TestSeeds.run(0x5645524946590001L, rnd -> {
            Path dir = template(rnd);
            LiveSet live = StoreFiles.liveSet(dir);
            long records = 0;
            long bytes = 0;
            for (SegmentMeta m : live.segments()) {
                records += StoreFiles.recordOffsets(FileNames.data(dir, m.id())).size() - 1;
                bytes += m.length() + StoreFiles.size(FileNames.hint(dir, m.id()));
            }
            long[] last = {0, 0};
            VerificationReport r = Mapcask.verify(dir, (done, total) -> {
                assertTrue(done >= last[0] && done <= total, done + " of " + total);
                last[0] = done;
                last[1] = total;
            });
            assertTrue(r.ok(), () -> describe(r));
            assertEquals(List.of(), r.warnings(), () -> describe(r));
            assertEquals(live.segments().size(), r.segmentsChecked());
            assertEquals(live.segments().size(), r.hintsChecked());
            assertEquals(records, r.recordsChecked());
            assertEquals(bytes, r.bytesChecked());
            assertEquals(bytes, last[1], "progress total");
            assertEquals(bytes, last[0], "progress reaches its total");
            assertEquals(r, verifyUnchanged(dir), "a second run finds the same");
            try (Mapcask db = Mapcask.open(dir, SMALL)) {
                assertTrue(db.size() > 0);
            }
        });
    }

    @Test
    void shouldReportAFlippedByteOfASealedSegmentAtItsRecord() {
        TestSeeds.run(0x5645524946590002L, rnd -> {
            Path template = template(rnd);
            List<SegmentMeta> sealed = StoreFiles.liveSet(template).segments().stream().toList();
            for (int trial = 0; trial < 25; trial++) {
                SegmentMeta m = sealed.get(rnd.nextInt(sealed.size()));
                Path dir = copy(template, "flip-data-" + trial);
                Path file = FileNames.data(dir, m.id());
                long x = SegmentHeader.DATA_START + (long) (rnd.nextDouble() * (m.length() - SegmentHeader.DATA_START));
                List<Long> records = StoreFiles.recordOffsets(file);
                long record = records.stream().filter(o -> o <= x).reduce((a, b) -> b).orElseThrow();
                StoreFiles.flipByte(file, x);
                VerificationReport r = verifyUnchanged(dir);
                String what = "flip at " + x + " of " + file.getFileName() + " (record at " + record + "): " + describe(r);
                assertFalse(r.ok(), what);
                assertTrue(r.problems().stream().anyMatch(p -> p.file().equals(file) && p.offset() >= record
                        && p.offset() <= x), what);
                assertTrue(r.problems().stream().allMatch(p -> p.file().equals(file)), "only the data file: " + what);
            }
        });
    }

    @Test
    void shouldReportEveryDamagedRecordOfASegmentWithoutAHint() {
        TestSeeds.run(0x5645524946590007L, rnd -> {
            Path template = template(rnd);
            SegmentMeta m = StoreFiles.liveSet(template).segments().stream().findFirst().orElseThrow();
            Path dir = copy(template, "two-flips");
            Path file = FileNames.data(dir, m.id());
            Files.delete(FileNames.hint(dir, m.id()));
            List<Long> records = StoreFiles.recordOffsets(file);
            int a = rnd.nextInt(records.size() / 2 - 1);
            int b = records.size() / 2 + rnd.nextInt(records.size() / 2 - 1);
            StoreFiles.flipByte(file, records.get(a) + RecordFormat.SEQUENCE_OFFSET);
            StoreFiles.flipByte(file, records.get(b) + RecordFormat.HEADER_SIZE);
            VerificationReport r = verifyUnchanged(dir);
            String what = "records " + records.get(a) + " and " + records.get(b) + ": " + describe(r);
            assertEquals(List.of(records.get(a), records.get(b)), r.problems().stream()
                    .map(VerificationReport.Finding::offset).toList(), what);
            long all = 0;
            for (SegmentMeta s : StoreFiles.liveSet(dir).segments()) {
                all += StoreFiles.recordOffsets(FileNames.data(template, s.id())).size() - 1;
            }
            assertEquals(all - 2, r.recordsChecked(), "every other record checked: " + what);
        });
    }

    @Test
    void shouldReportAFlippedByteOfAHintAtTheFieldHoldingIt() {
        TestSeeds.run(0x5645524946590003L, rnd -> {
            Path template = template(rnd);
            List<SegmentMeta> sealed = StoreFiles.liveSet(template).segments().stream().toList();
            for (int trial = 0; trial < 40; trial++) {
                SegmentMeta m = sealed.get(rnd.nextInt(sealed.size()));
                Path dir = copy(template, "flip-hint-" + trial);
                Path hint = FileNames.hint(dir, m.id());
                long x = trial < 4 ? new long[] {0, 12, 32, StoreFiles.size(hint) - 1}[trial]
                        : (long) (rnd.nextDouble() * StoreFiles.size(hint));
                StoreFiles.flipByte(hint, x);
                VerificationReport r = verifyUnchanged(dir);
                String what = "flip at " + x + " of " + hint.getFileName() + ": " + describe(r);
                assertFalse(r.ok(), what);
                assertTrue(r.problems().stream().anyMatch(p -> p.file().equals(hint) && p.offset() <= x
                        && x < p.offset() + 8), what);
                assertTrue(r.problems().stream().allMatch(p -> p.file().equals(hint)), "only the hint: " + what);
                // A reopen from the keydir checkpoint reads no hint: the documented repair deletes KEYDIR first.
                java.nio.file.Files.deleteIfExists(dir.resolve(FileNames.KEYDIR));
                try (Mapcask db = Mapcask.open(dir, SMALL)) {
                    assertTrue(db.size() > 0, "the store still opens (its hint is ignored)");
                }
                if (x < StoreFiles.size(hint) - 4) { // the last 4 bytes are outside the CRC: recovery keeps the hint
                    VerificationReport healed = Mapcask.verify(dir);
                    assertTrue(healed.ok(), () -> "recovery rewrote the hint: " + describe(healed));
                }
            }
        });
    }

    @Test
    void shouldWarnOfADamagedOrStaleKeydirCheckpointWithoutFailing() {
        TestSeeds.run(0x5645524946590009L, rnd -> {
            Path template = template(rnd);
            Path checkpoint = template.resolve(FileNames.KEYDIR);
            assertTrue(Files.exists(checkpoint), "a clean close writes the keydir checkpoint");
            for (int trial = 0; trial < 10; trial++) {
                Path dir = copy(template, "flip-keydir-" + trial);
                Path file = dir.resolve(FileNames.KEYDIR);
                // The footer's last 4 bytes are padding outside the CRC.
                long x = (long) (rnd.nextDouble() * (StoreFiles.size(file) - 4));
                StoreFiles.flipByte(file, x);
                VerificationReport r = verifyUnchanged(dir);
                String what = "flip at " + x + " of KEYDIR: " + describe(r);
                assertTrue(r.ok(), "only an accelerator: no problem, " + what);
                assertTrue(r.warnings().stream().anyMatch(w -> w.file().equals(file)), what);
            }
            // Stale: the checkpoint of an older state beside a store that has since compacted.
            Path stale = copy(template, "stale-keydir");
            Files.copy(checkpoint, tmp.resolve("old-keydir"));
            try (Mapcask db = Mapcask.open(stale, SMALL)) {
                db.put(new byte[] {7}, new byte[10]);
                db.compact();
            }
            Files.copy(tmp.resolve("old-keydir"), stale.resolve(FileNames.KEYDIR),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            VerificationReport r = verifyUnchanged(stale);
            assertTrue(r.ok(), () -> describe(r));
            assertTrue(r.warnings().stream().anyMatch(w -> w.file().equals(stale.resolve(FileNames.KEYDIR))
                    && w.message().contains("checkpoint covers segment")), () -> describe(r));
        });
    }

    @Test
    void shouldReportAFlippedByteOfTheManifestAtItsEditOrField() {
        TestSeeds.run(0x5645524946590004L, rnd -> {
            Path template = template(rnd);
            Path manifest = StoreFiles.manifest(template);
            List<Long> edits = StoreFiles.manifestRecordOffsets(manifest);
            long lastEdit = edits.get(edits.size() - 2);
            for (int trial = 0; trial < 25; trial++) {
                Path dir = copy(template, "flip-manifest-" + trial);
                Path file = dir.resolve(manifest.getFileName());
                long x = trial < 3 ? new long[] {2, 13, 20}[trial] : (long) (rnd.nextDouble() * lastEdit);
                long start = x < Manifest.HEADER_SIZE ? x : edits.stream().filter(o -> o <= x).reduce((a, b) -> b)
                        .orElseThrow();
                StoreFiles.flipByte(file, x);
                VerificationReport r = verifyUnchanged(dir);
                String what = "flip at " + x + " of " + file.getFileName() + ": " + describe(r);
                assertFalse(r.ok(), what);
                assertTrue(r.problems().stream().anyMatch(p -> p.file().equals(file)
                        && p.offset() <= x && p.offset() >= Math.min(start, x - x % 8)), what);
            }
            // The last edit: what a crash during its append leaves. A warning at that edit.
            Path dir = copy(template, "flip-manifest-last");
            Path file = dir.resolve(manifest.getFileName());
            StoreFiles.flipByte(file, lastEdit + 1 + rnd.nextInt((int) (edits.getLast() - lastEdit - 1)));
            VerificationReport r = verifyUnchanged(dir);
            assertTrue(r.warnings().stream().anyMatch(w -> w.file().equals(file) && w.offset() == lastEdit),
                    describe(r));
        });
    }

    @Test
    void shouldWarnOfCrashLeftoversAndReportDamageBelowTheDurableMark() {
        TestSeeds.run(0x5645524946590005L, rnd -> {
            Path dir = tmp.resolve("crashed");
            long mark;
            SegmentStats active;
            try (Mapcask db = Mapcask.open(dir, SMALL)) {
                for (int i = 0; i < 60; i++) {
                    db.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[100]);
                }
                db.sync();
                for (int i = 60; i < 70; i++) {
                    db.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[100]);
                }
                active = db.stats().segments().stream().filter(SegmentStats::active).findFirst().orElseThrow();
                db.abandon();
            }
            Path file = FileNames.data(dir, active.id());
            mark = StoreFiles.durableMark(file);
            assertTrue(mark > SegmentHeader.DATA_START && mark < active.length(), "mark " + mark);
            byte[] garbage = new byte[16];
            rnd.nextBytes(garbage);
            StoreFiles.writeAt(file, active.length(), garbage);
            Files.write(dir.resolve("000999.data"), new byte[0]);
            VerificationReport torn = verifyUnchanged(dir);
            assertTrue(torn.ok(), describe(torn));
            assertTrue(torn.warnings().stream().anyMatch(w -> w.file().equals(file) && w.offset() == active.length()),
                    describe(torn));
            assertTrue(torn.warnings().stream().anyMatch(w -> w.file().endsWith("000999.data")), describe(torn));

            List<Long> records = StoreFiles.recordOffsets(file);
            long below = records.stream().filter(o -> o < mark).reduce((a, b) -> b).orElseThrow();
            StoreFiles.flipByte(file, below + RecordFormat.HEADER_SIZE);
            VerificationReport damaged = verifyUnchanged(dir);
            assertTrue(damaged.problems().stream().anyMatch(p -> p.file().equals(file) && p.offset() == below),
                    describe(damaged));
            MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, () -> Mapcask.open(dir, SMALL));
            assertEquals(below, e.offset(), "recovery agrees on the offset");
        });
    }

    @Test
    void shouldReportMissingSegmentsAndMisnamedHeaders() throws Exception {
        TestSeeds.run(0x5645524946590006L, rnd -> {
            Path template = template(rnd);
            List<SegmentMeta> sealed = StoreFiles.liveSet(template).segments().stream().toList();
            Path dir = copy(template, "missing");
            Path gone = FileNames.data(dir, sealed.getFirst().id());
            Files.delete(gone);
            Path renamed = FileNames.data(dir, sealed.getLast().id());
            StoreFiles.flipByte(renamed, SegmentHeader.SEGMENT_ID_OFFSET);
            VerificationReport r = verifyUnchanged(dir);
            assertTrue(r.problems().stream().anyMatch(p -> p.file().equals(gone) && p.offset() == -1), describe(r));
            assertTrue(r.problems().stream().anyMatch(p -> p.file().equals(renamed)
                    && p.offset() == SegmentHeader.SEGMENT_ID_OFFSET), describe(r));
        });
    }

    @Test
    void shouldRefuseAStoreHeldByAnOpenInstanceAndLeaveItHeld() {
        Path dir = tmp.resolve("held");
        try (Mapcask db = Mapcask.open(dir, SMALL)) {
            db.put(new byte[] {1}, new byte[] {2});
            MapcaskLockedException e = assertThrows(MapcaskLockedException.class, () -> Mapcask.verify(dir));
            assertEquals(dir.resolve(FileNames.LOCK).toAbsolutePath(), e.lockFile().toAbsolutePath());
            assertThrows(MapcaskLockedException.class, () -> Mapcask.open(dir, SMALL), "still held");
            db.put(new byte[] {3}, new byte[] {4});
            db.sync();
        }
        assertTrue(Mapcask.verify(dir).ok());
    }

    @Test
    void shouldRefuseADirectoryThatHoldsNoStore() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(assertThrows(MapcaskException.class, () -> Mapcask.verify(empty)).getMessage().contains("CURRENT"));
        assertThrows(MapcaskException.class, () -> Mapcask.verify(tmp.resolve("absent")));
        assertThrows(NullPointerException.class, () -> Mapcask.verify(null));
        assertEquals(List.of(), StoreFiles.list(empty, "*"), "nothing created");
    }
}
