package io.mapcask.kafka.streams;

import java.util.List;
import java.util.NoSuchElementException;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Iterates over the entries a range scan found, copied when the scan ran: writes to the store
 * afterwards (also by the thread that iterates) change nothing here, so there is no
 * concurrent-modification case. Unusable once closed or once its store is closed.
 */
final class SnapshotIterator implements KeyValueIterator<Bytes, byte[]> {
    private final MapcaskKeyValueStore store;
    private List<KeyValue<Bytes, byte[]>> entries;
    private int next;
    private volatile boolean closed;

    SnapshotIterator(MapcaskKeyValueStore store, List<KeyValue<Bytes, byte[]>> entries) {
        this.store = store;
        this.entries = entries;
    }

    @Override
    public boolean hasNext() {
        checkUsable();
        return next < entries.size();
    }

    @Override
    public KeyValue<Bytes, byte[]> next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no entry left in this iterator over store " + store.name());
        }
        return entries.get(next++);
    }

    @Override
    public Bytes peekNextKey() {
        if (!hasNext()) {
            throw new NoSuchElementException("no entry left in this iterator over store " + store.name());
        }
        return entries.get(next).key;
    }

    /** Releases the copied entries. Idempotent. */
    @Override
    public void close() {
        closed = true;
        entries = List.of();
    }

    private void checkUsable() {
        if (closed) {
            throw new InvalidStateStoreException("this iterator over store " + store.name() + " is closed");
        }
        store.checkOpen();
    }
}
