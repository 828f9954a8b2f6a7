package io.mapcask.jmh;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory ceiling, not a peer: a {@link ConcurrentHashMap} on the heap, no persistence at
 * all. It honours the same contract as Mapcask ({@code put} copies the value, {@code get} returns
 * a copy the caller owns), so the gap to it is the price of the disk format, the off-heap keydir
 * and crash safety, not of a weaker API. It runs W1, W2 and W4 (a presized map filled by a loop of
 * puts; nothing to sync) only: nothing to make durable, reopen or measure on disk.
 */
final class ConcurrentHashMapEngine implements KvEngine {
    static final String NAME = "chm";

    private ConcurrentHashMap<ByteKey, byte[]> map;

    @Override
    public void open(Path dir, Durability durability, int valueSize, int keyCount) {
        map = new ConcurrentHashMap<>(Math.max(16, keyCount * 4 / 3));
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
    public void sync() {
    }

    @Override
    public void compact() {
    }

    @Override
    public void close() {
        map = null;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return "java.util.concurrent.ConcurrentHashMap (JDK " + Runtime.version().feature() + ")";
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean durableWrites() {
        return false;
    }

    @Override
    public boolean compacts() {
        return false;
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
