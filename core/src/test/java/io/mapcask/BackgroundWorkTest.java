package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The background thread: interval syncs, putAsync completion, policy compaction, pause/resume, rate. */
class BackgroundWorkTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Waits for a condition, up to 20 s; the background thread runs on its own schedule. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void shouldForceWritesOnItsOwnUnderIntervalMode() throws InterruptedException {
        MapcaskOptions options = MapcaskOptions.builder().syncMode(MapcaskOptions.SyncMode.INTERVAL)
                .syncInterval(Duration.ofMillis(5)).compactionBackground(false).build();
        try (Mapcask db = Mapcask.open(dir, options)) {
            long before = db.durableSequence();
            for (int i = 0; i < 10; i++) {
                db.put(b("k" + i), b("v" + i));
            }
            await("the interval force", () -> db.durableSequence() >= before + 10);
        }
    }

    @Test
    void shouldCompletePutAsyncWhenTheRecordIsDurable() throws Exception {
        MapcaskOptions group = MapcaskOptions.builder().syncMode(MapcaskOptions.SyncMode.GROUP)
                .compactionBackground(false).build();
        try (Mapcask db = Mapcask.open(dir.resolve("group"), group)) {
            CompletableFuture<Void> f = db.putAsync(b("k"), b("v"));
            f.get(20, TimeUnit.SECONDS);
            assertArrayEquals(b("v"), db.get(b("k")));
        }
        MapcaskOptions none = MapcaskOptions.builder().compactionBackground(false).build();
        try (Mapcask db = Mapcask.open(dir.resolve("none"), none)) {
            CompletableFuture<Void> f = db.putAsync(b("k"), b("v"));
            assertArrayEquals(b("v"), db.get(b("k")), "visible at once");
            assertFalse(f.isDone(), "under sync.mode=none the record is durable only at sync()");
            db.sync();
            assertTrue(f.isDone() && !f.isCompletedExceptionally());
        }
    }

    private static void overwriteIntoDeadSegments(Mapcask db) {
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 200; i++) {
                db.put(b("key" + i), new byte[400]);
            }
        }
    }

    @Test
    void shouldCompactDeadSegmentsInTheBackgroundUnlessPaused() throws InterruptedException {
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(32 << 10)
                .compactionInterval(Duration.ofMillis(10)).build();
        try (Mapcask db = Mapcask.open(dir, options)) {
            Store store = db.storeForTest();
            db.pauseCompaction();
            overwriteIntoDeadSegments(db);
            int sealed = store.sealedIdsForTest().size();
            Thread.sleep(100); // ten policy intervals, all paused
            assertEquals(sealed, store.sealedIdsForTest().size(), "paused: nothing compacted");
            db.resumeCompaction();
            await("background compaction", () -> store.sealedIdsForTest().size() < sealed);
            for (int i = 0; i < 200; i++) {
                assertArrayEquals(new byte[400], db.get(b("key" + i)));
            }
        }
    }

    @Test
    void shouldSpreadACompactionOverTimeUnderARateLimit() {
        long rate = 2L << 20;
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(256 << 10).compactionRate(rate)
                .compactionBackground(false).build();
        try (Mapcask db = Mapcask.open(dir, options)) {
            for (int i = 0; i < 2000; i++) {
                db.put(b("key" + i), new byte[500]); // about 1.1 MiB of live records
            }
            long t0 = System.nanoTime();
            db.compact();
            long millis = (System.nanoTime() - t0) / 1_000_000;
            // 1.1 MiB at 2 MiB/s cannot take less than about half a second.
            assertTrue(millis >= 350, "compaction of ~1.1 MiB at 2 MiB/s took only " + millis + " ms");
        }
    }
}
