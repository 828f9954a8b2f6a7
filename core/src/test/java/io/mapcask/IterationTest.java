package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IterationTest {
    @TempDir
    Path dir;

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldVisitEveryPresentKeyOnceWithItsValue() {
        long seed = TestSeeds.seed(17L);
        Random rnd = new Random(seed);
        Map<String, String> model = new HashMap<>();
        try (Mapcask db = Mapcask.open(dir, MapcaskOptions.builder().segmentSize(32 << 10).build())) {
            for (int i = 0; i < 5000; i++) {
                String k = "k" + rnd.nextInt(800);
                if (rnd.nextInt(5) == 0) {
                    db.delete(b(k));
                    model.remove(k);
                } else {
                    String v = k + "=" + i;
                    db.put(b(k), b(v));
                    model.put(k, v);
                }
                if (i == 2500) {
                    db.compact();
                }
            }
            Map<String, String> seen = new HashMap<>();
            db.forEach((k, v) -> assertEquals(null, seen.put(s(k), s(v)), "visited twice: " + s(k)));
            assertEquals(model, seen, "seed " + seed);
            Map<String, Boolean> keys = new HashMap<>();
            db.forEachKey(k -> keys.put(s(k), true));
            assertEquals(model.keySet(), keys.keySet());
        }
    }

    @Test
    void shouldVisitStableKeysExactlyOnceWhileWritersAndCompactionRun() throws InterruptedException {
        try (Mapcask db = Mapcask.open(dir, MapcaskOptions.builder().segmentSize(32 << 10).build())) {
            Random rnd = new Random(5);
            iterateWhileWriting(db, 2000, 20, i -> {
                db.put(b("churn" + rnd.nextInt(500)), new byte[rnd.nextInt(300)]);
                if (i % 2000 == 0) {
                    db.compact();
                }
            });
        }
    }

    @Test
    void shouldVisitEveryKeyOnceWhileNewKeysMakeTheKeydirGrow() throws InterruptedException {
        MapcaskOptions small = MapcaskOptions.builder().segmentSize(1 << 20).keydirInitialCapacity(16).build();
        try (Mapcask db = Mapcask.open(dir, small)) {
            // Every key new: the keydir grows again and again under the iterations.
            iterateWhileWriting(db, 3000, 30, i -> db.put(b("fresh" + i), b("f")));
        }
    }

    /**
     * Writes {@code stable} keys, then iterates {@code rounds} times while another thread runs
     * {@code write} (with its step number) until the rounds are done: each stable key must be
     * visited exactly once with its value, and no key twice.
     */
    private static void iterateWhileWriting(Mapcask db, int stable, int rounds,
            java.util.function.IntConsumer write) throws InterruptedException {
        for (int i = 0; i < stable; i++) {
            db.put(b("stable" + i), b("s" + i));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; !stop.get() && i < 200_000; i++) {
                    write.accept(i);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            for (int round = 0; round < rounds; round++) {
                Map<String, Integer> visits = new HashMap<>();
                db.forEach((k, v) -> {
                    String key = s(k);
                    visits.merge(key, 1, Integer::sum);
                    if (key.startsWith("stable")) {
                        assertArrayEquals(b("s" + key.substring(6)), v, key);
                    }
                });
                for (int i = 0; i < stable; i++) {
                    assertEquals(1, visits.getOrDefault("stable" + i, 0), "stable" + i + " in round " + round);
                }
                assertTrue(visits.values().stream().allMatch(n -> n == 1), "a key was visited twice");
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    void compactionWaitingForAnIterationShouldNotHoldUpWriters() throws Exception {
        try (Mapcask db = Mapcask.open(dir, MapcaskOptions.builder().segmentSize(32 << 10)
                .compactionBackground(false).build())) {
            for (int i = 0; i < 3000; i++) {
                db.put(b("k" + (i % 300)), new byte[100]); // several sealed segments, mostly dead records
            }
            java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread iteration = Thread.ofPlatform().start(() -> db.forEachKey(k -> {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertTrue(inside.await(10, java.util.concurrent.TimeUnit.SECONDS));
            AtomicReference<Throwable> compactFailure = new AtomicReference<>();
            Thread compaction = Thread.ofPlatform().start(() -> {
                try {
                    db.compact();
                } catch (Throwable t) {
                    compactFailure.set(t);
                }
            });
            try {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (compaction.getState() != Thread.State.WAITING && compaction.isAlive()) {
                    assertTrue(System.nanoTime() < deadline, "compaction never reached the wait for the iteration");
                    Thread.sleep(1);
                }
                assertTrue(compaction.isAlive(), "compaction finished while an iteration held its inputs");
                // The compaction is committed and waits to retire its inputs: writers must not wait with it.
                var put = java.util.concurrent.CompletableFuture.runAsync(() -> db.put(b("during"), b("retire")));
                put.get(5, java.util.concurrent.TimeUnit.SECONDS);
                assertArrayEquals(b("retire"), db.get(b("during")));
                assertTrue(compaction.isAlive());
                MapcaskStats waiting = db.stats();
                assertTrue(waiting.retiredMappedBytes() > 0 && waiting.segmentsAwaitingUnlink() > 0,
                        "the committed inputs are still mapped while the iteration runs: " + waiting);
            } finally {
                release.countDown();
                iteration.join();
                compaction.join();
            }
            if (compactFailure.get() != null) {
                throw new AssertionError(compactFailure.get());
            }
            for (int i = 0; i < 300; i++) {
                assertArrayEquals(new byte[100], db.get(b("k" + i)));
            }
            MapcaskStats after = db.stats();
            assertEquals(0, after.retiredMappedBytes(), after::toString);
            assertEquals(0, after.segmentsAwaitingUnlink(), after::toString);
        }
    }
}
