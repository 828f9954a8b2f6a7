package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Incremental growth of the {@link Keydir}: no mutation copies more than one batch of slots, every
 * key stays findable in the middle of a growth, readers racing a writer through several growths
 * see each key's newest or a newer location (never none, never an older one), and an iteration
 * sees each key once even when the table grows twice while it runs.
 *
 * <p>The keydir is driven directly with a {@link KeyMatcher} that reads a key's index back from
 * its location (offset field) and a version from the segment id, so no segments are involved.
 * Key {@code i} is {@code i} as 8 little-endian bytes.
 */
class KeydirGrowthTest {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long SEED = 0x6120_F00DL;

    @Test
    void shouldCopyAtMostOneBatchPerMutationAndFindEveryKeyMidGrowth() {
        Keydir keydir = new Keydir(16);
        Matcher m = new Matcher();
        int keys = 200_000;
        int checksMidGrowth = 0;
        long growths = 0;
        long lastCapacity = keydir.capacity();
        for (int i = 0; i < keys; i++) {
            assertEquals(Keydir.EMPTY, keydir.put(key(i), 0, 8, hash(i), location(i, 0), m), "key #" + i + " is new");
            if (keydir.capacity() != lastCapacity) {
                growths++;
                lastCapacity = keydir.capacity();
            }
            if (keydir.growing() && (i & 1023) == 0) {
                // a batch's touch of its home slots reaches every table of the chain and changes nothing
                keydir.touch(java.lang.foreign.MemorySegment.ofArray(
                        new long[] {hash(i), 0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, hash(i + 1)}), 0, 48, 8);
                for (int j = 0; j <= i; j += 7) {
                    assertEquals(location(j, 0), keydir.get(key(j), hash(j), m), "key #" + j + " mid-growth");
                }
                checksMidGrowth++;
            }
        }
        assertTrue(growths >= 10, "grew " + growths + " times");
        assertTrue(checksMidGrowth > 0, "the keydir was never caught in the middle of a growth");
        assertTrue(keydir.largestMigrationBatch() <= Keydir.MIGRATION_BATCH,
                "one mutation copied " + keydir.largestMigrationBatch() + " slots");
        for (int i = 0; i < keys; i++) { // updates finish the last growth
            keydir.put(key(i), 0, 8, hash(i), location(i, 1), m);
        }
        assertFalse(keydir.growing());
        assertEquals(keys, keydir.size());
        assertEquals(keydir.capacity() * Keydir.SLOT_BYTES, keydir.tableBytes(), "one table left");
        for (int i = 0; i < keys; i++) {
            assertEquals(location(i, 1), keydir.get(key(i), hash(i), m), "key #" + i);
        }
    }

    @Test
    void readersRacingGrowthShouldSeeTheNewestOrANewerLocation() throws Exception {
        long seed = TestSeeds.seed(0x6120_0001L);
        Keydir keydir = new Keydir(16);
        Matcher m = new Matcher();
        int keys = 300_000;
        AtomicIntegerArray versions = new AtomicIntegerArray(keys); // published after each put
        AtomicLong inserted = new AtomicLong(); // keys [0, inserted) are in the keydir
        AtomicReference<String> wrong = new AtomicReference<>();
        int readers = 2;
        List<Thread> threads = new ArrayList<>();
        long[] reads = new long[readers];
        for (int r = 0; r < readers; r++) {
            int id = r;
            SplittableRandom rnd = new SplittableRandom(seed + r);
            threads.add(Thread.ofPlatform().start(() -> {
                while (wrong.get() == null && inserted.get() < keys) {
                    long n = inserted.get();
                    if (n == 0) {
                        continue;
                    }
                    int i = rnd.nextInt((int) n);
                    int before = versions.get(i);
                    long loc = keydir.get(key(i), hash(i), m);
                    reads[id]++;
                    if (loc == Keydir.EMPTY) {
                        wrong.compareAndSet(null, "key #" + i + " not found");
                    } else if (version(loc) < before) {
                        wrong.compareAndSet(null, "key #" + i + " at version " + version(loc) + ", "
                                + before + " was written before the get began");
                    }
                }
            }));
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < keys && wrong.get() == null; i++) {
            keydir.put(key(i), 0, 8, hash(i), location(i, 0), m);
            inserted.set(i + 1);
            int j = rnd.nextInt(i + 1); // and an update of a random older key
            int v = versions.get(j) + 1;
            keydir.put(key(j), 0, 8, hash(j), location(j, v), m);
            versions.set(j, v);
        }
        inserted.set(keys);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(null, wrong.get(), "seed " + seed);
        long total = 0;
        for (long r : reads) {
            total += r;
        }
        System.out.printf("keydir growth race: %,d reads by %d readers during %,d inserts (seed %d)%n", total,
                readers, keys, seed);
        assertTrue(total > 0, "the readers never read");
    }

    @Test
    void anIterationShouldSeeEachKeyOnceWhileTheTableGrowsTwice() throws Exception {
        Keydir keydir = new Keydir(16);
        Matcher m = new Matcher();
        int before = 10_000;
        for (int i = 0; i < before; i++) {
            keydir.put(key(i), 0, 8, hash(i), location(i, 0), m);
        }
        while (keydir.growing()) { // settle the growth the first keys caused
            keydir.put(key(0), 0, 8, hash(0), location(0, 0), m);
        }
        long capacity = keydir.capacity();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BitSet seen = new BitSet();
        AtomicReference<String> twice = new AtomicReference<>();
        Thread iteration = Thread.ofPlatform().start(() -> keydir.forEachLocation(loc -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int i = index(loc);
            if (seen.get(i)) {
                twice.compareAndSet(null, "key #" + i + " visited twice");
            }
            seen.set(i);
        }));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        int after = before * 4; // enough new keys for two growths while the iteration holds its pause
        int growths = 0;
        for (int i = before; i < after; i++) {
            keydir.put(key(i), 0, 8, hash(i), location(i, 0), m);
            keydir.put(key(i - before), 0, 8, hash(i - before), location(i - before, 1), m);
            if (keydir.capacity() != capacity) {
                growths++;
                capacity = keydir.capacity();
            }
        }
        assertTrue(growths >= 2, "the table grew " + growths + " times");
        assertTrue(keydir.growing(), "nothing may move while the iteration runs");
        release.countDown();
        iteration.join();
        assertEquals(null, twice.get());
        for (int i = 0; i < before; i++) {
            assertTrue(seen.get(i), "key #" + i + " was present throughout and not visited");
        }
        for (int i = 0; i < after; i++) {
            keydir.put(key(i), 0, 8, hash(i), location(i, 2), m); // the copying resumes and finishes
        }
        assertFalse(keydir.growing());
        for (int i = 0; i < after; i++) {
            assertEquals(location(i, 2), keydir.get(key(i), hash(i), m), "key #" + i);
        }
        assertEquals(after, keydir.size());
    }

    private static byte[] key(int i) {
        byte[] k = new byte[8];
        LONG_LE.set(k, 0, (long) i);
        return k;
    }

    private static long hash(int i) {
        return KeyHash.hash(key(i), SEED);
    }

    private static long location(int index, int version) {
        return Keydir.location(1 + version, (long) index << 3, false);
    }

    private static int index(long location) {
        return (int) (Keydir.offset(location) >>> 3);
    }

    private static int version(long location) {
        return (int) Keydir.segmentId(location) - 1;
    }

    /** The key of a location is its index as 8 little-endian bytes; its sequence is its version. */
    private static final class Matcher implements KeyMatcher {
        @Override
        public boolean keyEquals(long location, byte[] key, int keyOffset, int keyLength) {
            return keyLength == 8 && (long) LONG_LE.get(key, keyOffset) == index(location);
        }

        @Override
        public boolean keyEquals(long location, MemorySegment src, long offset, int length) {
            return length == 8 && src.get(Layout.LONG, offset) == index(location);
        }

        @Override
        public long sequenceAt(long location) {
            return version(location);
        }
    }
}
