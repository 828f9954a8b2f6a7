package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Mapcask#stats()} against what the test itself did: operation counts and bytes, segment
 * usage against a full scan, compaction figures against the files, forces under {@code
 * sync.mode=always}, and the recovery report of a clean, a crashed and a littered directory.
 */
class StatsTest {
    @TempDir
    Path dir;

    private static MapcaskOptions small() {
        return MapcaskOptions.builder().segmentSize(32 << 10).compactionBackground(false).build();
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldCountOperationsBytesAndKeysExactly() {
        TestSeeds.run(0x5354415453310001L, rnd -> {
            Map<Integer, Integer> model = new HashMap<>();
            long puts = 0;
            long deletes = 0;
            long gets = 0;
            long misses = 0;
            long bytes = 0;
            try (Mapcask db = Mapcask.open(dir, small())) {
                MapcaskStats fresh = db.stats();
                assertTrue(fresh.recovery().created(), fresh::toString);
                assertEquals(0, fresh.puts() + fresh.gets() + fresh.deletes() + fresh.keys(), fresh::toString);
                for (int op = 0; op < 4000; op++) {
                    int k = rnd.nextInt(200);
                    int dice = rnd.nextInt(10);
                    if (dice < 5) {
                        int len = rnd.nextInt(300);
                        db.put(key(k), new byte[len]);
                        model.put(k, len);
                        puts++;
                        bytes += RecordFormat.size(key(k).length, len);
                    } else if (dice < 7) {
                        if (db.delete(key(k))) {
                            deletes++;
                            bytes += RecordFormat.size(key(k).length, 0);
                        }
                        model.remove(k);
                    } else if (dice < 9) {
                        gets++;
                        if (db.get(key(k)) == null) {
                            misses++;
                        }
                    } else {
                        gets++;
                        Integer len = db.get(key(k), v -> (int) v.byteSize());
                        if (len == null) {
                            misses++;
                        }
                        assertEquals(model.get(k), len);
                    }
                }
                WriteBatch batch = new WriteBatch().put(key(1000), new byte[10]).delete(key(1001));
                db.write(batch);
                puts++;
                deletes++;
                bytes += RecordFormat.size(key(1000).length, 10) + RecordFormat.size(key(1001).length, 0);
                model.put(1000, 10);

                MapcaskStats s = db.stats();
                assertEquals(puts, s.puts(), s::toString);
                assertEquals(deletes, s.deletes(), s::toString);
                assertEquals(gets, s.gets(), s::toString);
                assertEquals(misses, s.getMisses(), s::toString);
                assertEquals(bytes, s.bytesWritten(), s::toString);
                assertEquals(model.size(), s.keys(), s::toString);
                assertEquals(puts + deletes, s.lastSequence(), s::toString);
                assertSegmentsMatchScan(db, s);
                assertEquals(s.segments().size() - 1, s.segments().stream().filter(g -> !g.active()).count());
                assertTrue(s.segmentRolls() >= s.segments().size(), s::toString);
                assertTrue(s.spaceAmplification() > 1.0, s::toString);
                assertEquals((double) (s.liveBytes() + s.deadBytes()) / s.liveBytes(), s.spaceAmplification(), 1e-9);
                assertEquals(s.keydirCapacity() * Keydir.SLOT_BYTES, s.keydirBytes(), s::toString);
                assertEquals((double) (s.keys() + s.tombstones()) / s.keydirCapacity(), s.keydirLoad(), 1e-9);
                assertTrue(s.keydirLoad() > 0 && s.keydirLoad() <= Keydir.MAX_LOAD, s::toString);
                assertEquals(1, s.manifestNumber(), s::toString);
                assertEquals(StoreFiles.size(StoreFiles.manifest(dir)), s.manifestBytes(), s::toString);
                for (String line : List.of("keys:", "operations:", "forces:", "segments:", "space:", "compaction:",
                        "keydir:", "manifest:", "recovery:", "MANIFEST-000001")) {
                    assertTrue(s.toString().contains(line), () -> line + " in\n" + s);
                }
            }
        });
    }

    private static void assertSegmentsMatchScan(Mapcask db, MapcaskStats s) {
        Map<Long, long[]> scan = db.storeForTest().scanUsage();
        assertEquals(scan.keySet(), s.segments().stream().map(SegmentStats::id).collect(
                java.util.stream.Collectors.toCollection(java.util.TreeSet::new)), s::toString);
        for (SegmentStats g : s.segments()) {
            assertEquals(scan.get(g.id())[0], g.liveBytes(), () -> "live bytes of " + g + "\n" + s);
            assertEquals(scan.get(g.id())[1], g.deadBytes(), () -> "dead bytes of " + g + "\n" + s);
            assertEquals(SegmentHeader.DATA_START + g.liveBytes() + g.deadBytes(), g.length(), g::toString);
        }
    }

    @Test
    void shouldReportCompactionFiguresThatMatchTheFiles() {
        TestSeeds.run(0x5354415453310002L, rnd -> {
            try (Mapcask db = Mapcask.open(dir, small())) {
                for (int round = 0; round < 5; round++) {
                    for (int k = 0; k < 150; k++) {
                        db.put(key(k), new byte[50 + rnd.nextInt(100)]);
                    }
                }
                for (int k = 0; k < 30; k++) {
                    db.delete(key(k));
                }
                db.storeForTest().rotateForTest();
                MapcaskStats before = db.stats();
                long inputBytes = before.segments().stream().mapToLong(SegmentStats::length).sum();
                long[] progress = {-1, -1};
                db.compact((done, total) -> {
                    assertTrue(done >= progress[0] && done <= total, done + " of " + total);
                    progress[0] = done;
                    progress[1] = total;
                });
                MapcaskStats after = db.stats();
                assertEquals(inputBytes, progress[1], "progress total: the inputs' lengths");
                assertEquals(progress[1], progress[0], "progress reached its total");
                long outputBytes = after.segments().stream().mapToLong(SegmentStats::length).sum();
                assertEquals(1, after.compactions(), after::toString);
                assertFalse(after.compactionRunning(), after::toString);
                // Every tombstone's key had older records only in the inputs: all are dropped.
                assertEquals(30, after.compactionTombstonesDropped(), after::toString);
                assertEquals(120, after.compactionRecordsCopied(), after::toString);
                assertEquals(inputBytes - outputBytes, after.compactionBytesReclaimed(), after::toString);
                assertEquals(outputBytes, after.compactionBytesWritten(), after::toString);
                assertEquals(0, after.deadBytes(), after::toString);
                assertEquals(1.0, after.spaceAmplification(), after::toString);
                assertEquals(0, after.segmentsAwaitingUnlink(), after::toString);
                assertSegmentsMatchScan(db, after);
            }
        });
    }

    @Test
    void shouldCountEveryForceAndItsLatencyUnderSyncModeAlways() {
        MapcaskOptions always = MapcaskOptions.builder().segmentSize(1 << 20).compactionBackground(false)
                .syncMode(MapcaskOptions.SyncMode.ALWAYS).build();
        try (Mapcask db = Mapcask.open(dir, always)) {
            for (int i = 0; i < 50; i++) {
                db.put(key(i), new byte[100]);
            }
            db.sync(); // nothing new to force: not counted
            MapcaskStats s = db.stats();
            assertEquals(50, s.forces(), s::toString);
            assertEquals(s.lastSequence(), s.durableSequence(), s::toString);
            assertTrue(s.forceP50Nanos() > 0 && s.forceP50Nanos() <= s.forceP99Nanos(), s::toString);
            assertTrue(s.forceP99Nanos() <= s.forceMaxNanos(), s::toString);
            assertTrue(s.forceMaxNanos() <= s.forceTotalNanos(), s::toString);
            assertTrue(s.forceTotalNanos() <= 50 * s.forceMaxNanos(), s::toString);
        }
    }

    @Test
    void shouldReportAReopenFromTheKeydirCheckpoint() {
        try (Mapcask db = Mapcask.open(dir, small())) {
            for (int i = 0; i < 400; i++) {
                db.put(key(i), new byte[100]);
            }
        }
        try (Mapcask db = Mapcask.open(dir, small())) {
            MapcaskStats s = db.stats();
            RecoveryReport r = s.recovery();
            assertEquals(s.segments().size(), r.checkpointSegments(), r::toString);
            assertEquals(0, r.hintsUsed() + r.segmentsScanned() + r.hintsRewritten(), r::toString);
            assertEquals(400, r.keys(), r::toString);
        }
    }

    @Test
    void aReopenFromHintsFullOfDeadRecordsShouldSizeTheKeydirForTheKeys() {
        MapcaskOptions hintsOnly = MapcaskOptions.builder().segmentSize(32 << 10).compactionBackground(false)
                .keydirCheckpoint(false).keydirInitialCapacity(16).build();
        try (Mapcask db = Mapcask.open(dir, hintsOnly)) {
            for (int round = 0; round < 100; round++) {
                for (int i = 0; i < 100; i++) {
                    db.put(key(i), new byte[100]); // 10,000 records in the hints, 100 keys
                }
            }
        }
        try (Mapcask db = Mapcask.open(dir, hintsOnly)) {
            MapcaskStats s = db.stats();
            assertEquals(100, s.keys(), s::toString);
            assertTrue(s.keydirCapacity() <= 4 * 100 + 64, "sized for the keys, not the records: " + s);
            for (int i = 0; i < 100; i++) {
                assertEquals(100, db.get(key(i)).length);
            }
        }
    }

    @Test
    void shouldReportWhatRecoveryDid() throws Exception {
        TestSeeds.run(0x5354415453310003L, rnd -> {
            // Hints and scans are what this test is about: no keydir checkpoint.
            MapcaskOptions small = MapcaskOptions.builder().segmentSize(32 << 10).compactionBackground(false)
                    .keydirCheckpoint(false).build();
            try (Mapcask db = Mapcask.open(dir, small)) {
                for (int i = 0; i < 400; i++) {
                    db.put(key(i), new byte[100 + rnd.nextInt(100)]);
                }
            }
            MapcaskStats clean;
            try (Mapcask db = Mapcask.open(dir, small)) {
                clean = db.stats();
                RecoveryReport r = clean.recovery();
                assertFalse(r.created(), r::toString);
                assertEquals(clean.segments().size(), r.hintsUsed(), r::toString);
                assertEquals(0, r.segmentsScanned() + r.hintsRewritten() + r.orphansDeleted(), r::toString);
                assertEquals(0, r.bytesTruncated(), r::toString);
                assertFalse(r.tornTail() || r.manifestTailTorn(), r::toString);
                assertEquals(400, r.keys(), r::toString);
                assertTrue(r.duration().toNanos() > 0, r::toString);
                // A crash with unsynced writes in the active segment, then a torn record after them.
                for (int i = 400; i < 420; i++) {
                    db.put(key(i), new byte[100]);
                }
                SegmentStats active = db.stats().segments().stream().filter(SegmentStats::active).findFirst()
                        .orElseThrow();
                db.abandon();
                Path file = dir.resolve(FileNames.data(active.id()));
                byte[] garbage = new byte[RecordFormat.HEADER_SIZE];
                rnd.nextBytes(garbage);
                StoreFiles.writeAt(file, active.length(), garbage);
                long fileSize = Files.size(file);
                Files.write(dir.resolve(FileNames.data(active.id() + 100)), new byte[0]); // an orphan
                Files.delete(dir.resolve(FileNames.hint(clean.segments().getFirst().id()))); // a lost hint
                try (Mapcask again = Mapcask.open(dir, small)) {
                    RecoveryReport c = again.stats().recovery();
                    assertTrue(c.tornTail(), c::toString);
                    assertEquals(2, c.segmentsScanned(), "the active segment and the unhinted one: " + c);
                    assertEquals(clean.segments().size() - 1, c.hintsUsed(), c::toString);
                    assertEquals(1, c.hintsRewritten(), c::toString);
                    assertEquals(fileSize - active.length(), c.bytesTruncated(), c::toString);
                    assertEquals(1, c.orphansDeleted(), c::toString);
                    assertEquals(420, c.keys(), c::toString);
                }
            }
        });
    }

    @Test
    void shouldRefuseStatsAfterClose() {
        Mapcask db = Mapcask.open(dir, small());
        db.close();
        assertThrows(MapcaskClosedException.class, db::stats);
    }

    @Test
    void shouldKeepHistogramPercentilesWithinAQuarterOfTheTruth() {
        TestSeeds.run(0x5354415453310004L, rnd -> {
            LatencyHistogram h = new LatencyHistogram();
            long[] values = new long[10_001];
            for (int i = 0; i < values.length; i++) {
                values[i] = (long) Math.exp(rnd.nextDouble() * 30);
                h.record(values[i]);
            }
            java.util.Arrays.sort(values);
            for (double p : new double[] {0.5, 0.9, 0.99, 1.0}) {
                long truth = values[(int) Math.ceil(p * values.length) - 1];
                long estimate = h.percentile(p);
                assertTrue(estimate >= truth && estimate <= truth * 1.25 + 1, p + ": " + estimate + " vs " + truth);
            }
            assertEquals(values[values.length - 1], h.maxNanos());
            for (int b = 1; b < 248; b++) {
                assertEquals(b, LatencyHistogram.bucket(LatencyHistogram.upperBound(b)), "upper bound of bucket " + b);
                assertEquals(b, LatencyHistogram.bucket(LatencyHistogram.upperBound(b - 1) + 1), "lower bound of " + b);
            }
            assertEquals(247, LatencyHistogram.bucket(Long.MAX_VALUE));
        });
    }
}
