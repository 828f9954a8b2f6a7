package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers, lock-free readers, rotation and compaction (which retires and unmaps segments under
 * the readers) at once, with a linearizability-style check: every get returns a value written
 * for that key, not older than the last write of that key that completed before the get began.
 */
class ConcurrencyStressTest {
    private static final int KEYS = 64;
    private static final int WRITERS = 2;
    private static final int READERS = 2;

    @TempDir
    Path dir;

    private static byte[] key(int k) {
        return ByteBuffer.allocate(8).putInt(0x6B657900).putInt(k).array();
    }

    /** key, version, then padding whose bytes depend on both: a torn or foreign value shows. */
    private static byte[] value(int k, long version, int length) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(12, length));
        b.putInt(k).putLong(version);
        while (b.hasRemaining()) {
            b.put((byte) (k * 31 + version * 7 + b.position()));
        }
        return b.array();
    }

    private static long check(int k, byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v);
        if (v.length < 12 || b.getInt() != k) {
            throw new AssertionError("key " + k + " returned bytes of another key");
        }
        long version = b.getLong();
        byte[] expected = value(k, version, v.length);
        if (!java.util.Arrays.equals(expected, v)) {
            throw new AssertionError("key " + k + " version " + version + " returned damaged bytes");
        }
        return version;
    }

    @Test
    void shouldNeverReturnAWrongOrStaleValueWhileCompactionRetiresSegments() throws InterruptedException {
        run(Boolean.getBoolean("mapcask.long") ? 60_000 : 3_000);
    }

    @Test
    @Tag("long")
    void shouldSurviveALongMixedRun() throws InterruptedException {
        run(120_000);
    }

    private void run(long millis) throws InterruptedException {
        long seed = TestSeeds.seed(99L);
        AtomicLongArray completed = new AtomicLongArray(KEYS); // last version whose put returned
        AtomicLongArray started = new AtomicLongArray(KEYS);   // last version whose put began
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        AtomicLong compactions = new AtomicLong();
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(64 << 10).build();
        try (Mapcask db = Mapcask.open(dir, options)) {
            for (int k = 0; k < KEYS; k++) {
                db.put(key(k), value(k, 0, 20));
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().start(() -> guard(failure, () -> {
                    Random rnd = new Random(seed + writer);
                    go.await();
                    while (System.nanoTime() < deadline && failure.get() == null) {
                        int k = writer + WRITERS * rnd.nextInt(KEYS / WRITERS); // each key has one writer
                        long version = started.get(k) + 1;
                        started.set(k, version);
                        db.put(key(k), value(k, version, 12 + rnd.nextInt(900)));
                        completed.set(k, version);
                        writes.incrementAndGet();
                    }
                })));
            }
            for (int r = 0; r < READERS; r++) {
                int reader = r;
                threads.add(Thread.ofPlatform().start(() -> guard(failure, () -> {
                    Random rnd = new Random(seed + 100 + reader);
                    go.await();
                    while (System.nanoTime() < deadline && failure.get() == null) {
                        int k = rnd.nextInt(KEYS);
                        long floor = completed.get(k);
                        byte[] v = db.get(key(k));
                        long ceiling = started.get(k);
                        if (v == null) {
                            throw new AssertionError("key " + k + " vanished (seed " + seed + ")");
                        }
                        long version = check(k, v);
                        if (version < floor || version > ceiling) {
                            throw new AssertionError("key " + k + " read version " + version + ", allowed " + floor
                                    + ".." + ceiling + " (seed " + seed + ")");
                        }
                        reads.incrementAndGet();
                    }
                })));
            }
            threads.add(Thread.ofPlatform().start(() -> guard(failure, () -> {
                go.await();
                while (System.nanoTime() < deadline && failure.get() == null) {
                    db.compact();
                    compactions.incrementAndGet();
                    Thread.sleep(20);
                }
            })));
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("seed " + seed + ": " + failure.get(), failure.get());
        }
        System.out.printf("concurrency stress (seed %d, %d ms): %d writes, %d reads, %d compactions, 0 wrong reads%n",
                seed, millis, writes.get(), reads.get(), compactions.get());
        assertTrue(reads.get() > 0 && writes.get() > 0 && compactions.get() > 0);
    }

    /**
     * Also the regression test of a JVM crash: on Temurin 25.0.3 a reader copying a value while
     * close() closed the segment's arena died of SIGSEGV (the symptom of JDK-8364167), once in
     * the fast suite; the store's read gate now keeps close() from unmapping under a reader. With
     * the gate taken out of close(), readers here meet the closed arena ("Already closed") within
     * a few rounds.
     */
    @Test
    void shouldGiveReadersRacingCloseEitherTheValueOrTheClosedError() throws InterruptedException {
        int rounds = Boolean.getBoolean("mapcask.long") ? 2_000 : 200;
        for (int round = 0; round < rounds; round++) {
            Path store = dir.resolve("close-" + round);
            Mapcask db = Mapcask.open(store, MapcaskOptions.builder().segmentSize(64 << 10).build());
            for (int k = 0; k < KEYS; k++) {
                db.put(key(k), value(k, 1, 300));
            }
            db.compact();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch reading = new CountDownLatch(READERS);
            List<Thread> readers = new ArrayList<>();
            long roundSeed = round * 10L;
            for (int r = 0; r < READERS; r++) {
                int reader = r;
                readers.add(Thread.ofPlatform().start(() -> {
                    Random rnd = new Random(roundSeed + reader);
                    reading.countDown();
                    try {
                        while (true) {
                            int k = rnd.nextInt(KEYS);
                            assertEquals(1, check(k, db.get(key(k))));
                        }
                    } catch (MapcaskClosedException expected) {
                        // the defined outcome once close() ran
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }));
            }
            reading.await();
            db.close();
            for (Thread t : readers) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("a reader racing close() saw " + failure.get(), failure.get());
            }
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void guard(AtomicReference<Throwable> failure, Body body) {
        try {
            body.run();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }
}
