package io.mapcask;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Seeded 64-bit hash of key bytes, identical whether the key is a {@code byte[]} (put, get) or
 * a range of a mapped segment or hint (recovery). Eight bytes per multiply-rotate round and the
 * MurmurHash3 finalizer. Hot path: no allocation.
 */
final class KeyHash {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long C1 = 0x9E3779B97F4A7C15L;
    private static final long C2 = 0xC2B2AE3D27D4EB4FL;

    private KeyHash() {
    }

    static long hash(byte[] key, long seed) {
        return hash(key, 0, key.length, seed);
    }

    /** The hash of the key {@code key[from, from + len)}. */
    static long hash(byte[] key, int from, int len, long seed) {
        long h = seed ^ (len * C1);
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            h = round(h, (long) LONG_LE.get(key, from + i));
        }
        long tail = 0;
        for (int j = len - 1; j >= i; j--) {
            tail = (tail << 8) | (key[from + j] & 0xFF);
        }
        return finish(round(h, tail));
    }

    static long hash(MemorySegment s, long off, int len, long seed) {
        long h = seed ^ (len * C1);
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            h = round(h, s.get(Layout.LONG, off + i));
        }
        long tail = 0;
        for (int j = len - 1; j >= i; j--) {
            tail = (tail << 8) | (s.get(ValueLayout.JAVA_BYTE, off + j) & 0xFF);
        }
        return finish(round(h, tail));
    }

    private static long round(long h, long v) {
        return Long.rotateLeft(h ^ (v * C2), 31) * C1;
    }

    private static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
