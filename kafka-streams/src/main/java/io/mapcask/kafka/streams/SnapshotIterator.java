package io.mapcask.kafka.streams;

import java.util.List;
import java.util.NoSuchElementException;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.internals.ManagedKeyValueIterator;

/**
 * Iterates over the entries a range scan found, copied when the scan ran: writes to the store
 * afterwards (also by the thread that iterates) change nothing here, so there is no
 * concurrent-modification case. Unusable once closed or once its store is closed.
 *
 * <p>It is a {@link ManagedKeyValueIterator} (an internal interface of Kafka Streams) because
 * Kafka's adapter that makes a plain store serve a timestamped DSL store casts the iterators of
 * range queries to it.
 */
final class SnapshotIterator implements ManagedKeyValueIterator<Bytes, byte[]> {
    private final MapcaskKeyValueStore store;
    private List<KeyValue<Bytes, byte[]>> entries;
    private int next;
    private volatile boolean closed;
    private Runnable onClose;

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

    /** Releases the copied entries and runs the close callback once. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        entries = List.of();
        if (onClose != null) {
            onClose.run();
        }
    }

    @Override
    public void onClose(Runnable callback) {
        onClose = callback;
    }

    private void checkUsable() {
        if (closed) {
            throw new InvalidStateStoreException("this iterator over store " + store.name() + " is closed");
        }
        store.checkOpen();
    }
}
