package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Off-heap bytes the keydir spends per key ({@code tableBytes() / size()}), with the default
 * initial capacity and the keys inserted one by one, as a store fills. The keydir holds no key
 * bytes, so the figure must not depend on key length: it is checked at 16 and 200 bytes.
 *
 * <p>The keydir is driven directly, with the real {@link KeyHash}, and a {@link KeyMatcher}
 * that regenerates key {@code i} from the location (no segments, no disk), so a million keys
 * take well under a second. Key {@code i} is its index (8 bytes, little-endian) followed by a
 * fixed filler.
 */
class KeydirFootprintTest {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long SEED = 0x5EED_F00DL;
    /** Index bits kept in a location's offset field; the rest go to the segment id. */
    private static final int INDEX_OFFSET_BITS = 24;
    private static final double MAX_BYTES_PER_KEY = 24.0;

    @ParameterizedTest(name = "{0}-byte keys")
    @ValueSource(ints = {16, 200})
    void shouldSpendAtMost24BytesPerKeyForAMillionKeys(int keyLength) {
        measure(1_000_000, keyLength);
    }

    @Tag("long")
    @ParameterizedTest(name = "{0}-byte keys")
    @ValueSource(ints = {16, 200})
    void shouldSpendAtMost24BytesPerKeyForTenMillionKeys(int keyLength) {
        measure(10_000_000, keyLength);
    }

    private static void measure(int keys, int keyLength) {
        long directBefore = directBytesAfterGc();
        Keydir keydir = new Keydir((int) MapcaskConfig.KEYDIR_INITIAL_CAPACITY_DEFAULT_SLOTS);
        Matcher matcher = new Matcher(keyLength);
        byte[] key = matcher.filler.clone();
        double peakPerKey = 0;
        long slowestPutNanos = 0;
        long slowestGrowingPutNanos = 0;
        long start = System.nanoTime();
        for (int i = 0; i < keys; i++) {
            LONG_LE.set(key, 0, (long) i);
            long before = keydir.tableBytes();
            long t0 = System.nanoTime();
            long previous = keydir.put(key, 0, key.length, KeyHash.hash(key, SEED), location(i), matcher);
            long took = System.nanoTime() - t0;
            long after = keydir.tableBytes();
            if (after != before) {
                slowestGrowingPutNanos = Math.max(slowestGrowingPutNanos, took); // allocates (and zeroes) a table
            } else {
                slowestPutNanos = Math.max(slowestPutNanos, took); // at most one batch of slots copied
            }
            if (previous != Keydir.EMPTY) { // no message built per key: this loop must not allocate
                fail("key #" + i + " was new, yet the keydir returned a previous location " + previous);
            }
            // While a growth runs, the old table and the new one are both allocated.
            if (i >= keys / 100) {
                peakPerKey = Math.max(peakPerKey, (double) after / (i + 1));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // Replaced tables come from Arena.ofAuto(): freed only when a GC finds them unreachable.
        long directBeforeGc = directBytes() - directBefore;
        long directAfterGc = directBytesAfterGc() - directBefore;

        assertEquals(keys, keydir.size());
        SplittableRandom rnd = new SplittableRandom(keys ^ keyLength);
        for (int s = 0; s < 10_000; s++) {
            int i = rnd.nextInt(keys);
            LONG_LE.set(key, 0, (long) i);
            assertEquals(location(i), keydir.get(key, KeyHash.hash(key, SEED), matcher), "key #" + i);
        }
        LONG_LE.set(key, 0, (long) keys);
        assertEquals(Keydir.EMPTY, keydir.get(key, KeyHash.hash(key, SEED), matcher), "a key never put");

        double bytesPerKey = (double) keydir.tableBytes() / keydir.size();
        System.out.printf(
                "keydir footprint: %,d keys of %d B: capacity %,d slots (load %.2f), table %,d B = %.2f B/key;"
                        + " %.2f B/key at the peak of a growth (old + new table);"
                        + " off-heap held before a GC %.2f B/key, after %.2f B/key; %.2f s to insert,"
                        + " slowest put %.2f ms (%.2f ms for one that allocated a table)%n",
                keys, keyLength, keydir.capacity(), (double) keydir.size() / keydir.capacity(), keydir.tableBytes(),
                bytesPerKey, peakPerKey, (double) directBeforeGc / keys, (double) directAfterGc / keys, seconds,
                slowestPutNanos / 1e6, slowestGrowingPutNanos / 1e6);
        assertTrue(bytesPerKey <= MAX_BYTES_PER_KEY,
                "keydir spends " + bytesPerKey + " bytes per key, more than " + MAX_BYTES_PER_KEY);
    }

    /** Native memory held: direct buffers and arena segments, plus anonymous mappings of keydir tables. */
    private static long directBytes() {
        long mapped = io.mapcask.mmap.ZeroedMemory.mappedBytes();
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed() + mapped;
            }
        }
        return mapped;
    }

    /** Runs a GC and waits (up to a second) for the cleaners of unreachable arenas to free their memory. */
    private static long directBytesAfterGc() {
        System.gc();
        long last = directBytes();
        for (int i = 0; i < 20; i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = directBytes();
            if (now == last) {
                break;
            }
            last = now;
        }
        return last;
    }

    private static long location(long index) {
        return Keydir.location(1 + (index >>> INDEX_OFFSET_BITS), (index & ((1L << INDEX_OFFSET_BITS) - 1)) << 3,
                false);
    }

    private static long index(long location) {
        return ((Keydir.segmentId(location) - 1) << INDEX_OFFSET_BITS) | (Keydir.offset(location) >>> 3);
    }

    /** Key {@code i} = {@code i} as 8 little-endian bytes, then {@link #filler} from byte 8 on. */
    private static final class Matcher implements KeyMatcher {
        final byte[] filler;

        Matcher(int keyLength) {
            filler = new byte[keyLength];
            new SplittableRandom(keyLength).nextBytes(filler);
        }

        @Override
        public boolean keyEquals(long location, byte[] key, int keyOffset, int keyLength) {
            int n = filler.length;
            return keyLength == n && (long) LONG_LE.get(key, keyOffset) == index(location)
                    && Arrays.equals(key, keyOffset + 8, keyOffset + n, filler, 8, n);
        }

        @Override
        public boolean keyEquals(long location, MemorySegment src, long offset, int length) {
            int n = filler.length;
            if (length != n || src.get(Layout.LONG, offset) != index(location)) {
                return false;
            }
            return MemorySegment.mismatch(src, offset + 8, offset + n, MemorySegment.ofArray(filler), 8, n) < 0;
        }

        @Override
        public long sequenceAt(long location) {
            return index(location) + 1;
        }
    }
}
