package io.mapcask.kafka.streams;

import io.mapcask.WriteBatch;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.utils.Bytes;

/**
 * The writes a {@link MapcaskKeyValueStore} has taken since its last commit, with an upper bound
 * of the segment bytes they will take as Mapcask records. Only the stream thread writes;
 * interactive-query threads read concurrently (hence the concurrent map). Unordered: a scan sorts
 * what it finds anyway. Values are the arrays the caller gave, not copies, as in Kafka's
 * in-memory store.
 */
final class WriteBuffer {
    /** Marks a buffered delete. Compared by identity, so that an empty value stays a value. */
    static final byte[] DELETED = new byte[0];

    private final ConcurrentHashMap<Bytes, byte[]> pending = new ConcurrentHashMap<>();
    private volatile long bytes;

    /** @return the buffered value, {@link #DELETED} for a buffered delete, null when the key is not buffered */
    byte[] get(Bytes key) {
        return pending.get(key);
    }

    /** Buffers {@code value} (or {@link #DELETED}) for {@code key}, replacing what was buffered. */
    void put(Bytes key, byte[] value) {
        byte[] old = pending.put(key, value);
        long delta = recordBytes(key, value);
        if (old != null) {
            delta -= recordBytes(key, old);
        }
        bytes += delta;
    }

    /** @return an upper bound of the segment bytes of the buffered writes as Mapcask records */
    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** @return a live view of the buffered writes */
    Map<Bytes, byte[]> view() {
        return pending;
    }

    /** Adds every buffered write to {@code batch}, under the store's key layout. */
    void addTo(WriteBatch batch) {
        for (Map.Entry<Bytes, byte[]> e : pending.entrySet()) {
            byte[] stored = StoreLayout.storedKey(e.getKey().get());
            if (e.getValue() == DELETED) {
                batch.delete(stored);
            } else {
                batch.put(stored, e.getValue());
            }
        }
    }

    /**
     * Forgets every buffered write. Called once they are in Mapcask, so a reader that no longer
     * finds a key here finds it there.
     */
    void clear() {
        pending.clear();
        bytes = 0;
    }

    private static long recordBytes(Bytes key, byte[] value) {
        return StoreLayout.userRecordBytes(key.get().length, value == DELETED ? 0 : value.length);
    }
}
