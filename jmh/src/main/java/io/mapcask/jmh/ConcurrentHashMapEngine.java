package io.mapcask.jmh;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory ceiling: a {@link ConcurrentHashMap} on the heap, no persistence at all. It
 * honours the same contract as Mapcask ({@code put} copies the value, {@code get} returns a copy
 * the caller owns), so the gap to it is the price of the disk format, the off-heap keydir and
 * crash safety, not of a weaker API.
 */
final class ConcurrentHashMapEngine implements KvEngine {
    static final String NAME = "chm";

    private ConcurrentHashMap<ByteKey, byte[]> map;

    @Override
    public void open(Path dir) {
        map = new ConcurrentHashMap<>();
    }

    @Override
    public void put(byte[] key, byte[] value) {
        map.put(new ByteKey(key.clone()), value.clone());
    }

    @Override
    public byte[] get(byte[] key) {
        byte[] v = map.get(new ByteKey(key));
        return v == null ? null : v.clone();
    }

    @Override
    public void close() {
        map = null;
    }

    /** A byte[] with value equality; the hash is computed once. */
    static final class ByteKey {
        private final byte[] bytes;
        private final int hash;

        ByteKey(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByteKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }
    }
}
