package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Opening a store after clean closes, crashes ({@link Mapcask#abandon()}) and damage to its
 * files (DESIGN §6, §7): what survives, what is dropped, what is reported as corruption, and
 * that a recovery which reports corruption, or that has nothing left to do, changes no file.
 */
class RecoveryTest {
    private static final long SMALL_SEGMENT = 64 << 10;

    @TempDir
    Path dir;

    /** No keydir checkpoint: these tests are about the hints, the scans and what recovery changes (KeydirCheckpointTest covers the checkpoint). */
    private static MapcaskOptions options() {
        return MapcaskOptions.builder().segmentSize(SMALL_SEGMENT).compactionBackground(false).keydirCheckpoint(false)
                .build();
    }

    private static MapcaskOptions options(MapcaskOptions.SyncMode mode) {
        return MapcaskOptions.builder().segmentSize(SMALL_SEGMENT).syncMode(mode).compactionBackground(false)
                .keydirCheckpoint(false).build();
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(Random rnd) {
        byte[] v = new byte[rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(600)];
        rnd.nextBytes(v);
        return v;
    }

    /** Key index → expected value; a null value means the key must be absent. */
    private static final class Expected {
        final Map<Integer, byte[]> values = new LinkedHashMap<>();

        void put(Mapcask db, int k, byte[] v) {
            db.put(key(k), v);
            values.put(k, v.clone());
        }

        void delete(Mapcask db, int k) {
            db.delete(key(k));
            values.put(k, null);
        }

        void assertIn(Mapcask db, String when) {
            long present = 0;
            for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
                assertArrayEquals(e.getValue(), db.get(key(e.getKey())), when + ": key-" + e.getKey());
                present += e.getValue() == null ? 0 : 1;
            }
            assertEquals(present, db.size(), when + ": size()");
        }
    }

    /** Writes {@code n} puts (with overwrites and some deletes) of keys {@code [first, first + n)}. */
    private static void write(Mapcask db, Expected expected, Random rnd, int first, int n) {
        for (int i = 0; i < n; i++) {
            int k = first + rnd.nextInt(n);
            if (rnd.nextInt(8) == 0 && expected.values.get(k) != null) {
                expected.delete(db, k);
            } else {
                expected.put(db, k, value(rnd));
            }
        }
    }

    /** A cleanly closed store of several sealed segments (each with a hint). */
    private Expected populated(Random rnd) {
        Expected expected = new Expected();
        try (Mapcask db = Mapcask.open(dir, options())) {
            write(db, expected, rnd, 0, 600);
        }
        assertTrue(StoreFiles.list(dir, "*.data").size() >= 3, "the test needs several segments");
        return expected;
    }

    // ------------------------------------------------------------------ clean close and crashes

    @Test
    void shouldReadEverythingBackAfterCleanClose() {
        TestSeeds.run(0x5245434F56455231L, rnd -> {
            Expected expected = populated(rnd);
            assertNull(StoreFiles.activeSegment(dir), "close seals the active segment");
            for (Path data : StoreFiles.list(dir, "*.data")) {
                String hint = data.getFileName().toString().replace(".data", ".hint");
                assertTrue(Files.exists(dir.resolve(hint)), "every sealed segment has a hint: " + hint);
            }
            try (Mapcask db = Mapcask.open(dir, options())) {
                expected.assertIn(db, "after a clean close");
                write(db, expected, rnd, 300, 200);
                expected.assertIn(db, "after more writes");
            }
            try (Mapcask db = Mapcask.open(dir, options())) {
                expected.assertIn(db, "after a second clean close");
            }
        });
    }

    @Test
    void shouldKeepEverySyncedWriteAfterAbandon() {
        TestSeeds.run(0x5245434F56455232L, rnd -> {
            Expected synced = new Expected();
            Map<Integer, byte[]> later = new LinkedHashMap<>();
            Mapcask db = Mapcask.open(dir, options());
            write(db, synced, rnd, 0, 400);
            db.sync();
            for (int k = 1_000; k < 1_100; k++) {
                byte[] v = value(rnd);
                db.put(key(k), v);
                later.put(k, v);
            }
            db.abandon();
            try (Mapcask again = Mapcask.open(dir, options())) {
                for (Map.Entry<Integer, byte[]> e : synced.values.entrySet()) {
                    assertArrayEquals(e.getValue(), again.get(key(e.getKey())), "synced key-" + e.getKey());
                }
                // Unsynced writes may be lost, but only as a suffix, and never changed.
                boolean lost = false;
                for (Map.Entry<Integer, byte[]> e : later.entrySet()) {
                    byte[] got = again.get(key(e.getKey()));
                    if (got == null) {
                        lost = true;
                    } else {
                        assertFalse(lost, "key-" + e.getKey() + " survived although an earlier write was lost");
                        assertArrayEquals(e.getValue(), got, "unsynced key-" + e.getKey());
                    }
                }
            }
        });
    }

    @Test
    void shouldKeepEveryWriteAfterAbandonWhenSyncModeIsAlways() {
        TestSeeds.run(0x5245434F56455233L, rnd -> {
            Expected expected = new Expected();
            Mapcask db = Mapcask.open(dir, options(MapcaskOptions.SyncMode.ALWAYS));
            write(db, expected, rnd, 0, 400);
            db.abandon();
            // Even if everything above the durable mark had been lost, sync.mode=always put nothing there.
            Path active = StoreFiles.activeSegment(dir);
            List<Long> records = StoreFiles.recordOffsets(active);
            assertEquals(records.get(records.size() - 1), StoreFiles.durableMark(active),
                    "under sync.mode=always the durable mark covers every record");
            try (Mapcask again = Mapcask.open(dir, options(MapcaskOptions.SyncMode.ALWAYS))) {
                expected.assertIn(again, "after abandon under sync.mode=always");
            }
        });
    }

    @Test
    void shouldOpenAfterAbandonWithoutAnySync() {
        TestSeeds.run(0x5245434F56455234L, rnd -> {
            Map<Integer, byte[]> written = new LinkedHashMap<>();
            Mapcask db = Mapcask.open(dir, MapcaskOptions.builder().segmentSize(1 << 20).compactionBackground(false).build());
            for (int k = 0; k < 300; k++) {
                byte[] v = value(rnd);
                db.put(key(k), v);
                written.put(k, v);
            }
            db.abandon();
            Path active = StoreFiles.activeSegment(dir);
            assertEquals(SegmentHeader.DATA_START, StoreFiles.durableMark(active), "nothing was synced");
            try (Mapcask again = Mapcask.open(dir, options())) {
                boolean lost = false;
                for (Map.Entry<Integer, byte[]> e : written.entrySet()) {
                    byte[] got = again.get(key(e.getKey()));
                    if (got == null) {
                        lost = true;
                    } else {
                        assertFalse(lost, "key-" + e.getKey() + " survived although an earlier write was lost");
                        assertArrayEquals(e.getValue(), got, "key-" + e.getKey());
                    }
                }
            }
        });
    }

    // ------------------------------------------------------------------ torn tail

    /** What a crash may leave after the last record of the active segment. */
    enum Tail {
        /** Random bytes. */
        GARBAGE,
        /** The first part of a record: a complete header whose key and value were not all written. */
        PARTIAL_RECORD,
        /** A whole record with one bit of its value flipped. */
        FLIPPED_RECORD,
        /** A record header alone, with nothing after it. */
        HEADER_ONLY
    }

    @ParameterizedTest
    @EnumSource(Tail.class)
    void shouldDropTornTailOfActiveSegmentAndKeepEverythingBeforeIt(Tail tail) {
        TestSeeds.run(0x544F524E5441494CL + tail.ordinal(), rnd -> {
            Expected expected = new Expected();
            MapcaskOptions opts = MapcaskOptions.builder().segmentSize(1 << 20).compactionBackground(false).build();
            Mapcask db = Mapcask.open(dir, opts);
            write(db, expected, rnd, 0, 200);
            db.sync();
            write(db, expected, rnd, 200, 50); // intact but never synced: above the durable mark
            db.abandon();

            Path active = StoreFiles.activeSegment(dir);
            assertNotNull(active);
            List<Long> records = StoreFiles.recordOffsets(active);
            long end = records.get(records.size() - 1);
            long last = records.get(records.size() - 2);
            assertTrue(StoreFiles.durableMark(active) < end, "the last records lie above the durable mark");
            byte[] lastRecord = java.util.Arrays.copyOfRange(StoreFiles.read(active), (int) last, (int) end);
            byte[] garbage = switch (tail) {
                case GARBAGE -> {
                    byte[] g = new byte[1 + rnd.nextInt(500)];
                    rnd.nextBytes(g);
                    g[0] |= 1;
                    yield g;
                }
                case PARTIAL_RECORD -> java.util.Arrays.copyOf(lastRecord, RecordFormat.HEADER_SIZE
                        + rnd.nextInt(lastRecord.length - RecordFormat.HEADER_SIZE));
                case FLIPPED_RECORD -> {
                    byte[] r = lastRecord.clone();
                    r[RecordFormat.HEADER_SIZE + rnd.nextInt(r.length - RecordFormat.HEADER_SIZE)] ^= 0x10;
                    yield r;
                }
                case HEADER_ONLY -> java.util.Arrays.copyOf(lastRecord, RecordFormat.HEADER_SIZE);
            };
            if (tail == Tail.PARTIAL_RECORD || tail == Tail.HEADER_ONLY || tail == Tail.FLIPPED_RECORD) {
                // Make the torn record look like the next write (a higher sequence), as a crash would leave it.
                MemorySegment.ofArray(garbage).set(Layout.LONG, RecordFormat.SEQUENCE_OFFSET,
                        RecordFormat.sequence(MemorySegment.ofArray(lastRecord), 0) + 1);
                if (tail == Tail.HEADER_ONLY || tail == Tail.PARTIAL_RECORD) {
                    // A valid CRC of the complete record would make no difference: the bytes after are missing.
                    garbage[RecordFormat.CRC_OFFSET] ^= 0x01;
                }
            }
            StoreFiles.writeAt(active, end, garbage);

            try (Mapcask again = Mapcask.open(dir, opts)) {
                expected.assertIn(again, "after dropping a torn tail (" + tail + ")");
                assertEquals(end, StoreFiles.size(active), "the recovered segment is sealed at its last intact record");
                write(again, expected, rnd, 0, 100);
            }
            try (Mapcask again = Mapcask.open(dir, opts)) {
                expected.assertIn(again, "after writing on top of a recovered torn tail");
            }
        });
    }

    // ------------------------------------------------------------------ corruption

    /** Where a forced record of the active segment is damaged. */
    enum Damage {
        CRC, FLAGS, KEY_LENGTH, SEQUENCE, VALUE_LENGTH, KEY, VALUE
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void shouldReportBadRecordBelowDurableMarkAsCorruptionAndChangeNothing(Damage damage) {
        TestSeeds.run(0x4241445245434F52L + damage.ordinal(), rnd -> {
            MapcaskOptions opts = MapcaskOptions.builder().segmentSize(1 << 20).compactionBackground(false).build();
            Mapcask db = Mapcask.open(dir, opts);
            for (int k = 0; k < 100; k++) {
                byte[] v = new byte[8 + rnd.nextInt(100)];
                rnd.nextBytes(v);
                db.put(key(k), v);
            }
            db.sync();
            db.abandon();
            Path active = StoreFiles.activeSegment(dir).toAbsolutePath();
            List<Long> records = StoreFiles.recordOffsets(active);
            assertEquals(records.get(records.size() - 1), StoreFiles.durableMark(active));
            int victim = 10 + rnd.nextInt(80);
            long off = records.get(victim);
            long at = switch (damage) {
                case CRC -> off + RecordFormat.CRC_OFFSET;
                case FLAGS -> off + RecordFormat.FLAGS_OFFSET;
                case KEY_LENGTH -> off + RecordFormat.KEY_LENGTH_OFFSET;
                case SEQUENCE -> off + RecordFormat.SEQUENCE_OFFSET;
                case VALUE_LENGTH -> off + RecordFormat.VALUE_LENGTH_OFFSET;
                case KEY -> off + RecordFormat.HEADER_SIZE;
                case VALUE -> off + RecordFormat.HEADER_SIZE + key(victim).length + 1;
            };
            StoreFiles.flipByte(active, at);
            var before = StoreFiles.snapshot(dir);

            for (int attempt = 0; attempt < 2; attempt++) {
                MapcaskCorruptionException e =
                        assertThrows(MapcaskCorruptionException.class, () -> Mapcask.open(dir, opts));
                assertEquals(active, e.file(), "the exception names the damaged file: " + e.getMessage());
                assertEquals(off, e.offset(), "the exception names the damaged record: " + e.getMessage());
                assertTrue(e.getMessage().contains(active.toString()) && e.getMessage().contains(Long.toString(off)),
                        e.getMessage());
                StoreFiles.assertUnchanged(before, dir, "a recovery that reports corruption");
            }
        });
    }

    @Test
    void shouldReportBadRecordInsideSealedSegmentWithoutHintAsCorruption() {
        TestSeeds.run(0x5345414C45444241L, rnd -> {
            populated(rnd);
            Path data = StoreFiles.list(dir, "*.data").get(1).toAbsolutePath();
            Files.delete(dir.resolve(data.getFileName().toString().replace(".data", ".hint")));
            List<Long> records = StoreFiles.recordOffsets(data);
            long off = records.get(records.size() / 2);
            StoreFiles.flipByte(data, off + RecordFormat.HEADER_SIZE);
            var before = StoreFiles.snapshot(dir);
            MapcaskCorruptionException e =
                    assertThrows(MapcaskCorruptionException.class, () -> Mapcask.open(dir, options()));
            assertEquals(data, e.file(), e.getMessage());
            assertEquals(off, e.offset(), e.getMessage());
            StoreFiles.assertUnchanged(before, dir, "a recovery that reports corruption");
        });
    }

    @Test
    void shouldReportDamagedRecordOfHintedSegmentOnGetInsteadOfReturningIt() {
        TestSeeds.run(0x48494E5445444241L, rnd -> {
            Expected expected = populated(rnd);
            Path data = StoreFiles.list(dir, "*.data").get(0).toAbsolutePath();
            // Damage the value of a record that is still the newest of its key.
            MemorySegment s = MemorySegment.ofArray(StoreFiles.read(data));
            List<Long> records = StoreFiles.recordOffsets(data);
            int damagedKey = -1;
            long damagedAt = -1;
            for (int i = 0; i < records.size() - 1 && damagedKey < 0; i++) {
                long off = records.get(i);
                int keyLength = RecordFormat.keyLength(s, off);
                byte[] k = s.asSlice(RecordFormat.keyOffset(off), keyLength).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                int index = Integer.parseInt(new String(k, StandardCharsets.UTF_8).substring(4));
                byte[] v = s.asSlice(RecordFormat.keyOffset(off) + keyLength, RecordFormat.valueLength(s, off))
                        .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                if (!RecordFormat.isTombstone(s, off) && v.length > 0 && java.util.Arrays.equals(v, expected.values.get(index))) {
                    damagedKey = index;
                    damagedAt = RecordFormat.keyOffset(off) + keyLength;
                }
            }
            assertTrue(damagedKey >= 0, "the first segment holds a live value");
            StoreFiles.flipByte(data, damagedAt);
            try (Mapcask db = Mapcask.open(dir, options())) {
                int k = damagedKey;
                MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, () -> db.get(key(k)));
                assertEquals(data, e.file(), e.getMessage());
                expected.values.remove(damagedKey);
                for (Map.Entry<Integer, byte[]> en : expected.values.entrySet()) {
                    assertArrayEquals(en.getValue(), db.get(key(en.getKey())), "key-" + en.getKey());
                }
            }
        });
    }

    @Test
    void shouldReportMissingOrShortenedSealedSegmentAsCorruption() {
        TestSeeds.run(0x53484F5254534547L, rnd -> {
            Expected expected = populated(rnd);
            List<Path> data = StoreFiles.list(dir, "*.data");
            // Shorter than its committed length (segments sealed by rotation keep their preallocated size).
            Path shortened = data.get(0).toAbsolutePath();
            byte[] original = StoreFiles.read(shortened);
            List<Long> records = StoreFiles.recordOffsets(shortened);
            StoreFiles.truncate(shortened, records.get(records.size() - 1) - 8);
            var before = StoreFiles.snapshot(dir);
            MapcaskCorruptionException e =
                    assertThrows(MapcaskCorruptionException.class, () -> Mapcask.open(dir, options()));
            assertEquals(shortened, e.file(), e.getMessage());
            StoreFiles.assertUnchanged(before, dir, "a recovery that reports a shortened segment");
            Files.write(shortened, original);

            Path missing = data.get(1).toAbsolutePath();
            byte[] missingBytes = StoreFiles.read(missing);
            Files.delete(missing);
            var before2 = StoreFiles.snapshot(dir);
            MapcaskCorruptionException e2 =
                    assertThrows(MapcaskCorruptionException.class, () -> Mapcask.open(dir, options()));
            assertEquals(missing, e2.file(), e2.getMessage());
            StoreFiles.assertUnchanged(before2, dir, "a recovery that reports a missing segment");
            Files.write(missing, missingBytes);

            try (Mapcask db = Mapcask.open(dir, options())) {
                expected.assertIn(db, "with the damaged files restored: nothing was lost meanwhile");
            }
        });
    }

    @Test
    void shouldReportDamagedSegmentHeaderAsCorruption() {
        TestSeeds.run(0x4845414445524241L, rnd -> {
            populated(rnd);
            Path data = StoreFiles.list(dir, "*.data").get(0).toAbsolutePath();
            StoreFiles.flipByte(data, SegmentHeader.SEGMENT_ID_OFFSET);
            var before = StoreFiles.snapshot(dir);
            MapcaskCorruptionException e =
                    assertThrows(MapcaskCorruptionException.class, () -> Mapcask.open(dir, options()));
            assertEquals(data, e.file(), e.getMessage());
            StoreFiles.assertUnchanged(before, dir, "a recovery that reports a damaged header");
        });
    }

    // ------------------------------------------------------------------ orphans and foreign files

    @Test
    void shouldDeleteStoreFilesNoEditNamesAndLeaveForeignFilesAlone() {
        TestSeeds.run(0x4F525048414E5331L, rnd -> {
            Expected expected = populated(rnd);
            List<Path> data = StoreFiles.list(dir, "*.data");
            Files.copy(data.get(0), dir.resolve("000999.data"));
            Files.copy(dir.resolve(data.get(0).getFileName().toString().replace(".data", ".hint")),
                    dir.resolve("000999.hint"));
            Files.write(dir.resolve("000998.data"), new byte[100]);
            Files.copy(StoreFiles.manifest(dir), dir.resolve("MANIFEST-000777"));
            Files.write(dir.resolve("CURRENT.tmp"), new byte[] {1, 2, 3});
            Files.writeString(dir.resolve("notes.txt"), "not Mapcask's");
            Files.createDirectories(dir.resolve("backup"));
            Files.writeString(dir.resolve("backup/000001.data"), "also not Mapcask's");
            Files.writeString(dir.resolve("000001.data.bak"), "nor this");
            var before = StoreFiles.snapshot(dir);

            try (Mapcask db = Mapcask.open(dir, options())) {
                expected.assertIn(db, "after deleting orphans");
            }
            var after = StoreFiles.snapshot(dir);
            for (String orphan : List.of("000999.data", "000999.hint", "000998.data", "MANIFEST-000777", "CURRENT.tmp")) {
                assertFalse(after.containsKey(orphan), orphan + " is named by no manifest edit and must be deleted");
            }
            for (String foreign : List.of("notes.txt", "backup/", "backup/000001.data", "000001.data.bak")) {
                assertEquals(before.get(foreign), after.get(foreign), foreign + " is not the store's and must be left alone");
            }
        });
    }

    // ------------------------------------------------------------------ hints

    /** Damage to a hint file. */
    enum HintDamage {
        FLIP_BYTE, TRUNCATE, DELETE, EMPTY, GARBAGE, ANOTHER_SEGMENTS_HINT, POINTS_PAST_SEGMENT, ANOTHER_STORES_HINT
    }

    @ParameterizedTest
    @EnumSource(HintDamage.class)
    void shouldScanSegmentWhenItsHintIsDamagedAndFindTheSameContents(HintDamage damage) {
        TestSeeds.run(0x48494E5444414D41L + damage.ordinal(), rnd -> {
            Expected expected = populated(rnd);
            List<Path> hints = StoreFiles.list(dir, "*.hint");
            Path hint = hints.get(rnd.nextInt(hints.size() - 1));
            Path other = hints.get(hints.size() - 1);
            long size = StoreFiles.size(hint);
            switch (damage) {
                // Not the footer's last 4 bytes: reserved, outside the CRC.
                case FLIP_BYTE -> StoreFiles.flipByte(hint, rnd.nextLong(size - 4));
                case TRUNCATE -> StoreFiles.truncate(hint, rnd.nextLong(size));
                case DELETE -> Files.delete(hint);
                case EMPTY -> StoreFiles.truncate(hint, 0);
                case GARBAGE -> {
                    byte[] g = new byte[(int) size];
                    rnd.nextBytes(g);
                    Files.write(hint, g);
                }
                case ANOTHER_SEGMENTS_HINT -> Files.copy(other, hint, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                case POINTS_PAST_SEGMENT -> {
                    // A hint with a valid CRC whose last entry points past the end of its segment.
                    byte[] b = StoreFiles.read(hint);
                    MemorySegment s = MemorySegment.ofArray(b);
                    long footer = HintFormat.footerOffset(s);
                    long last = footer - HintFormat.ENTRY_SIZE;
                    assertTrue(last >= HintFormat.HEADER_SIZE, "the hint has an entry");
                    Layout.putInt(s, last + HintFormat.ENTRY_OFFSET, (int) (SMALL_SEGMENT * 4));
                    Layout.putInt(s, footer + HintFormat.FOOTER_CRC, Crc.of(s, 0, footer + HintFormat.FOOTER_CRC));
                    Files.write(hint, b);
                }
                case ANOTHER_STORES_HINT -> {
                    // An intact hint of the same segment id and length written with another hash seed (as by
                    // another store): its hash words would put every key in the wrong slot.
                    long id = FileNames.hintId(hint.getFileName().toString());
                    MemorySegment data = MemorySegment.ofArray(StoreFiles.read(FileNames.data(dir, id)));
                    long seed = StoreFiles.hashSeed(dir);
                    HintWriter.write(io.mapcask.mmap.RealFs.INSTANCE, dir, id, data,
                            StoreFiles.liveSet(dir).get(id).length(), seed ^ (1L << rnd.nextInt(64)));
                    assertEquals("hint was written with another store's hash seed", HintFormat.validate(
                            MemorySegment.ofArray(StoreFiles.read(hint)), id, StoreFiles.liveSet(dir).get(id).length(),
                            seed));
                }
            }
            try (Mapcask db = Mapcask.open(dir, options())) {
                expected.assertIn(db, "after scanning the segment of a damaged hint (" + damage + ")");
            }
            // The hint was rewritten: the next open uses it, and finds the same.
            long id = FileNames.hintId(hint.getFileName().toString());
            MemorySegment rewritten = MemorySegment.ofArray(StoreFiles.read(hint));
            assertNull(HintFormat.validate(rewritten, id, StoreFiles.liveSet(dir).get(id).length(),
                            StoreFiles.hashSeed(dir)),
                    "the damaged hint is rewritten");
            try (Mapcask db = Mapcask.open(dir, options())) {
                expected.assertIn(db, "after reopening with the rewritten hint");
            }
        });
    }

    // ------------------------------------------------------------------ idempotent recovery

    /** How the store was left before the recovery whose repetition must change nothing. */
    enum Crash {
        ABANDON_UNSYNCED, ABANDON_SYNCED, TORN_TAIL, DAMAGED_HINT_AND_ORPHANS, TORN_MANIFEST_EDIT
    }

    @ParameterizedTest
    @EnumSource(Crash.class)
    void shouldChangeNoFileWhenOpeningAgainAfterRecovery(Crash crash) {
        TestSeeds.run(0x4944454D504F5431L + crash.ordinal(), rnd -> {
            Expected expected = populated(rnd);
            Mapcask db = Mapcask.open(dir, options());
            write(db, expected, rnd, 0, 150);
            if (crash != Crash.ABANDON_UNSYNCED) {
                db.sync();
            }
            switch (crash) {
                case TORN_MANIFEST_EDIT -> {
                    db.close();
                    Path manifest = StoreFiles.manifest(dir);
                    List<Long> edits = StoreFiles.manifestRecordOffsets(manifest);
                    long lastEdit = edits.get(edits.size() - 2);
                    StoreFiles.truncate(manifest, lastEdit + 1 + rnd.nextInt((int) (edits.get(edits.size() - 1) - lastEdit - 1)));
                }
                case DAMAGED_HINT_AND_ORPHANS -> {
                    db.close();
                    StoreFiles.truncate(StoreFiles.list(dir, "*.hint").get(0), 40);
                    Files.write(dir.resolve("000999.data"), new byte[10]);
                }
                case TORN_TAIL -> {
                    db.abandon();
                    Path active = StoreFiles.activeSegment(dir);
                    List<Long> records = StoreFiles.recordOffsets(active);
                    byte[] g = new byte[64];
                    rnd.nextBytes(g);
                    g[0] |= 1;
                    StoreFiles.writeAt(active, records.get(records.size() - 1), g);
                }
                default -> db.abandon();
            }

            Mapcask first = Mapcask.open(dir, options());
            expected.assertIn(first, "after the recovery");
            var afterRecovery = StoreFiles.snapshot(dir);
            first.close();
            StoreFiles.assertUnchanged(afterRecovery, dir, "closing a recovered store that was not written");
            for (int again = 0; again < 2; again++) {
                Mapcask second = Mapcask.open(dir, options());
                StoreFiles.assertUnchanged(afterRecovery, dir, "opening again after a recovery");
                expected.assertIn(second, "opening again after a recovery");
                if (again == 0) {
                    second.close();
                } else {
                    second.abandon();
                }
                StoreFiles.assertUnchanged(afterRecovery, dir, "closing / abandoning again after a recovery");
            }
        });
    }

    // ------------------------------------------------------------------ CURRENT and manifest

    /** Damage to CURRENT or the manifest that must be reported, never guessed around. */
    enum MetaDamage {
        CURRENT_GARBAGE, CURRENT_TRUNCATED, CURRENT_EMPTY, CURRENT_NAMES_MISSING_MANIFEST, CURRENT_BAD_VERSION,
        MANIFEST_GARBAGE, MANIFEST_TRUNCATED_HEADER, MANIFEST_BAD_MAGIC, MANIFEST_BAD_VERSION,
        MANIFEST_FIRST_EDIT_DAMAGED, MANIFEST_MIDDLE_EDIT_DAMAGED, MANIFEST_ONLY_HEADER
    }

    @ParameterizedTest
    @EnumSource(MetaDamage.class)
    void shouldReportDamagedCurrentOrManifestAsCorruptionAndChangeNothing(MetaDamage damage) {
        TestSeeds.run(0x4D45544144414D41L + damage.ordinal(), rnd -> {
            populated(rnd);
            Path current = dir.resolve(FileNames.CURRENT).toAbsolutePath();
            Path manifest = StoreFiles.manifest(dir).toAbsolutePath();
            List<Long> edits = StoreFiles.manifestRecordOffsets(manifest);
            assertTrue(edits.size() >= 4, "the test needs a manifest of several edits: " + edits);
            Path damaged = damage.name().startsWith("CURRENT") ? current : manifest;
            switch (damage) {
                case CURRENT_GARBAGE -> {
                    byte[] g = new byte[CurrentFile.SIZE];
                    rnd.nextBytes(g);
                    Files.write(current, g);
                }
                case CURRENT_TRUNCATED -> StoreFiles.truncate(current, 1 + rnd.nextInt(CurrentFile.SIZE - 1));
                case CURRENT_EMPTY -> StoreFiles.truncate(current, 0);
                case CURRENT_NAMES_MISSING_MANIFEST -> {
                    Files.write(current, CurrentFile.encode(424242));
                    damaged = dir.resolve(FileNames.manifest(424242)).toAbsolutePath();
                }
                case CURRENT_BAD_VERSION -> {
                    byte[] c = CurrentFile.encode(FileNames.manifestNumber(manifest.getFileName().toString()));
                    MemorySegment s = MemorySegment.ofArray(c);
                    Layout.putInt(s, CurrentFile.VERSION_OFFSET, 99);
                    Layout.putInt(s, CurrentFile.CRC_OFFSET, Crc.of(s, 0, CurrentFile.CRC_OFFSET));
                    Files.write(current, c);
                }
                case MANIFEST_GARBAGE -> {
                    byte[] g = new byte[(int) StoreFiles.size(manifest)];
                    rnd.nextBytes(g);
                    Files.write(manifest, g);
                }
                case MANIFEST_TRUNCATED_HEADER -> StoreFiles.truncate(manifest, 1 + rnd.nextInt(Manifest.HEADER_SIZE - 1));
                case MANIFEST_BAD_MAGIC -> StoreFiles.flipByte(manifest, Manifest.MAGIC_OFFSET + 2);
                case MANIFEST_BAD_VERSION -> StoreFiles.writeAt(manifest, Manifest.VERSION_OFFSET, new byte[] {9, 0, 0, 0});
                case MANIFEST_FIRST_EDIT_DAMAGED ->
                        StoreFiles.flipByte(manifest, edits.get(0) + Manifest.RECORD_HEADER_SIZE + 3);
                case MANIFEST_MIDDLE_EDIT_DAMAGED -> {
                    long edit = edits.get(1 + rnd.nextInt(edits.size() - 3));
                    StoreFiles.flipByte(manifest, edit + Manifest.RECORD_HEADER_SIZE + rnd.nextInt(ManifestEdit.FIXED_SIZE));
                }
                case MANIFEST_ONLY_HEADER -> StoreFiles.truncate(manifest, Manifest.HEADER_SIZE);
            }
            var before = StoreFiles.snapshot(dir);
            MapcaskCorruptionException e =
                    assertThrows(MapcaskCorruptionException.class, () -> Mapcask.open(dir, options()));
            assertEquals(damaged, e.file(), "the exception names the damaged file: " + e.getMessage());
            assertTrue(e.getMessage().contains(damaged.toString()), e.getMessage());
            StoreFiles.assertUnchanged(before, dir, "a recovery that reports a damaged " + damaged.getFileName());
        });
    }

    @Test
    void shouldRecoverFromTornLastManifestEditWithTheSameContents() {
        TestSeeds.run(0x544F524E4D414E49L, rnd -> {
            Expected expected = populated(rnd);
            Path manifest = StoreFiles.manifest(dir);
            List<Long> edits = StoreFiles.manifestRecordOffsets(manifest);
            long lastEdit = edits.get(edits.size() - 2);
            long end = edits.get(edits.size() - 1);
            // Every cut inside the last edit (the seal of close) is a torn append.
            for (long cut = lastEdit + 1; cut < end; cut += 1 + rnd.nextInt(7)) {
                Path m = StoreFiles.manifest(dir);
                List<Long> e = StoreFiles.manifestRecordOffsets(m);
                long last = e.get(e.size() - 2);
                StoreFiles.truncate(m, last + (cut - lastEdit));
                try (Mapcask db = Mapcask.open(dir, options())) {
                    expected.assertIn(db, "after a torn last manifest edit cut " + (cut - lastEdit) + " bytes in");
                }
            }
        });
    }

    @Test
    void shouldNeverReturnWrongDataWhenGarbageFollowsTheLastManifestEdit() {
        TestSeeds.run(0x4D414E4947415242L, rnd -> {
            Expected expected = populated(rnd);
            for (int round = 0; round < 20; round++) {
                Path manifest = StoreFiles.manifest(dir);
                byte[] g = new byte[1 + rnd.nextInt(200)];
                rnd.nextBytes(g);
                StoreFiles.writeAt(manifest, StoreFiles.size(manifest), g);
                var before = StoreFiles.snapshot(dir);
                try (Mapcask db = Mapcask.open(dir, options())) {
                    expected.assertIn(db, "after garbage followed the last manifest edit (round " + round + ")");
                } catch (MapcaskCorruptionException e) {
                    // Also acceptable: garbage that does not look like a torn append is reported.
                    assertEquals(manifest.toAbsolutePath(), e.file(), e.getMessage());
                    StoreFiles.assertUnchanged(before, dir, "a recovery that reports garbage in the manifest");
                    StoreFiles.truncate(manifest, StoreFiles.size(manifest) - g.length);
                }
            }
        });
    }

    @Test
    void shouldRefuseStoreWhoseCurrentIsMissingAndDeleteNothing() {
        TestSeeds.run(0x4E4F43555252454EL, rnd -> {
            populated(rnd);
            Files.delete(dir.resolve(FileNames.CURRENT));
            var before = StoreFiles.snapshot(dir);
            MapcaskException e = assertThrows(MapcaskException.class, () -> Mapcask.open(dir, options()));
            assertTrue(e.getMessage().contains(FileNames.CURRENT), e.getMessage());
            StoreFiles.assertUnchanged(before, dir, "refusing a store without CURRENT");
        });
    }
}
