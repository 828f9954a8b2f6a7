package io.mapcask.kafka.streams;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskClosedException;
import io.mapcask.MapcaskConfig;
import io.mapcask.MapcaskException;
import io.mapcask.MapcaskOptions;
import io.mapcask.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.ChangelogRecordDeserializationHelper;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.StoreQueryUtils;

/**
 * A persistent Kafka Streams key-value store on one Mapcask store in
 * {@code <task state directory>/mapcask/<store name>}. Get one through {@link MapcaskStores}.
 *
 * <p><b>Commits.</b> Writes ({@code put}, {@code putAll}, {@code delete}) are buffered in memory
 * until Kafka Streams commits the task; {@link #commit(Map)} then writes them, the changelog
 * offsets and the position as one atomic Mapcask batch and syncs once (KIP-1035: the store
 * manages its own offsets). After any crash the store holds exactly the state of one commit and
 * the offsets of that commit, so a restart restores only the changelog after them. When the
 * buffered writes outgrow one atomic batch (a Mapcask segment) before a commit, they are written
 * early together with a marker ("dirty"); a store opened with that marker under exactly-once
 * reports itself corrupted, and Kafka Streams rebuilds it from the changelog.
 *
 * <p><b>Order.</b> Range scans return keys in the lexicographic order of their bytes, but Mapcask
 * has no ordered index yet: each scan visits every key of the store and sorts the matches, and
 * its iterator holds a copy of them (see docs/kafka-streams.md for the costs).
 *
 * <p><b>Threads.</b> The stream thread writes; interactive queries read from other threads
 * concurrently. Reads take no lock.
 */
public final class MapcaskKeyValueStore implements KeyValueStore<Bytes, byte[]> {
    /** The folder under a task's state directory that holds the task's Mapcask stores. */
    static final String DIRECTORY = "mapcask";

    private static final System.Logger LOG = System.getLogger(MapcaskKeyValueStore.class.getName());

    private final String name;
    /** null: from system properties, read when the store opens */
    private final MapcaskOptions configuredOptions;
    private final WriteBuffer buffer = new WriteBuffer();
    private final Position position = Position.emptyPosition();

    private StateStoreContext context;
    private Mapcask db;
    private int maxUserKeySize;
    private int maxValueSize;
    private long batchRoom;
    private boolean consistencyEnabled;
    /** Whether Kafka Streams commits this store at every task commit (else only at checkpoints). */
    private boolean committedEveryInterval;
    private Map<TopicPartition, Long> committedOffsets = Map.of();
    private Position committedPosition = Position.emptyPosition();
    /** Whether {@link StoreLayout#DIRTY_KEY} is in Mapcask. */
    private boolean dirty;
    private volatile boolean open;

    MapcaskKeyValueStore(String name, MapcaskOptions options) {
        this.name = Objects.requireNonNull(name, "name");
        this.configuredOptions = options;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Opens the Mapcask store under the task's state directory and registers the restore callback
     * (restored records are written as atomic batches).
     *
     * @throws TaskCorruptedException under exactly-once when the store holds writes of an
     *     uncommitted interval (Kafka Streams then wipes and restores it)
     * @throws ProcessorStateException when the directory cannot be opened or holds something else
     */
    @Override
    public synchronized void init(StateStoreContext context, StateStore root) {
        if (open) {
            throw new IllegalStateException("store " + name + " is already open");
        }
        Map<String, Object> configs = context.appConfigs();
        boolean exactlyOnce = StreamsConfig.EXACTLY_ONCE_V2.equals(configs.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        committedEveryInterval = !exactlyOnce || flag(configs, StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG);
        consistencyEnabled = flag(configs, StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED);
        MapcaskOptions options = configuredOptions != null ? configuredOptions : MapcaskOptions.fromSystemProperties();
        maxUserKeySize = options.maxKeySize() - StoreLayout.PREFIX;
        maxValueSize = options.maxValueSize();
        batchRoom = StoreLayout.batchRoom(options.segmentSize());
        Path dir = context.stateDir().toPath().resolve(DIRECTORY).resolve(name);
        try {
            db = Mapcask.open(dir, options);
        } catch (MapcaskException e) {
            throw new ProcessorStateException("cannot open Mapcask state store " + name + " in " + dir + ": "
                    + e.getMessage(), e);
        }
        try {
            loadMetadata(dir, exactlyOnce, context);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        this.context = context;
        open = true;
        context.register(root, (RecordBatchingStateRestoreCallback) this::restoreBatch);
    }

    private void loadMetadata(Path dir, boolean exactlyOnce, StateStoreContext context) {
        byte[] version = db.get(StoreLayout.VERSION_KEY);
        if (version == null) {
            if (db.size() > 0) {
                throw new ProcessorStateException(dir + " holds a Mapcask store that no MapcaskKeyValueStore wrote"
                        + " (it has no layout version entry); refusing to use it as state store " + name);
            }
            db.put(StoreLayout.VERSION_KEY, StoreLayout.versionValue());
        } else if (version.length != 1 || version[0] != StoreLayout.VERSION) {
            throw new ProcessorStateException("state store " + name + " in " + dir + " has key layout version "
                    + (version.length == 1 ? version[0] : "(damaged)") + "; this release reads version "
                    + StoreLayout.VERSION);
        }
        byte[] offsets = db.get(StoreLayout.OFFSETS_KEY);
        committedOffsets = offsets == null ? Map.of() : StoreLayout.decodeOffsets(offsets, "committed offsets");
        byte[] storedPosition = db.get(StoreLayout.POSITION_KEY);
        if (storedPosition != null) {
            position.merge(StoreLayout.decodePosition(storedPosition));
        }
        committedPosition = position.copy();
        dirty = db.containsKey(StoreLayout.DIRTY_KEY);
        if (dirty && exactlyOnce) {
            throw new TaskCorruptedException(Set.of(context.taskId()), new ProcessorStateException("Mapcask state store "
                    + name + " in " + dir + " holds writes that no commit covered (they outgrew one atomic batch"
                    + " before a crash); under exactly-once it is rebuilt from its changelog"));
        }
    }

    private static boolean flag(Map<String, Object> configs, String name) {
        return Boolean.parseBoolean(String.valueOf(configs.get(name)));
    }

    /**
     * @return the value of {@code key} (buffered writes included), or null when absent; null also
     *     for a key longer than any key this store can hold
     * @throws NullPointerException when {@code key} is null
     * @throws InvalidStateStoreException when the store is closed
     */
    @Override
    public byte[] get(Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        checkOpen();
        byte[] buffered = buffer.get(key);
        if (buffered != null) {
            return buffered == WriteBuffer.DELETED ? null : buffered;
        }
        return stored(key.get());
    }

    /** @return the value in Mapcask (not the buffer) of user key {@code key}, or null */
    private byte[] stored(byte[] key) {
        if (key.length > maxUserKeySize) {
            return null;
        }
        try {
            return db.get(StoreLayout.storedKey(key));
        } catch (MapcaskException e) {
            throw translate(e);
        }
    }

    /**
     * Stores {@code value} under {@code key} until the next commit makes it durable; a null value
     * deletes the key. The arrays are kept (not copied) until then: do not change them.
     *
     * @throws NullPointerException when {@code key} is null
     * @throws IllegalArgumentException when {@code key} is longer than {@code mapcask.max.key.size}
     *     minus 1 (65,534 bytes by default), or {@code value} longer than {@code mapcask.max.value.size}
     * @throws InvalidStateStoreException when the store is closed
     */
    @Override
    public synchronized void put(Bytes key, byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        checkOpen();
        long bytes = checkWrite(key, value);
        makeRoom(bytes);
        buffer.put(key, value == null ? WriteBuffer.DELETED : value);
        updatePosition();
    }

    /** @return the old value; {@code value} is stored only when there was none (and it is not null) */
    @Override
    public synchronized byte[] putIfAbsent(Bytes key, byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        byte[] old = get(key);
        if (old == null && value != null) {
            put(key, value);
        }
        return old;
    }

    /**
     * Stores every entry (null values delete) such that all of them reach Mapcask in one atomic
     * batch. Nothing is stored when an argument is bad.
     *
     * @throws IllegalArgumentException when a key or value breaks its limit, or the entries take
     *     more than one atomic batch holds ({@code mapcask.segment.size} less its 4 KiB header)
     */
    @Override
    public synchronized void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        Objects.requireNonNull(entries, "entries cannot be null");
        for (KeyValue<Bytes, byte[]> entry : entries) {
            Objects.requireNonNull(entry, "entry cannot be null");
            Objects.requireNonNull(entry.key, "key cannot be null");
        }
        checkOpen();
        long bytes = 0;
        for (KeyValue<Bytes, byte[]> entry : entries) {
            bytes += checkWrite(entry.key, entry.value);
        }
        if (bytes > batchRoom) {
            throw new IllegalArgumentException("putAll of " + entries.size() + " entries needs up to " + bytes
                    + " bytes of Mapcask records, more than one atomic batch holds (" + batchRoom + " bytes with "
                    + MapcaskConfig.SEGMENT_SIZE_PROP_NAME + "=" + (batchRoom + StoreLayout.SEGMENT_HEADER)
                    + "); split it or raise " + MapcaskConfig.SEGMENT_SIZE_PROP_NAME);
        }
        makeRoom(bytes);
        for (KeyValue<Bytes, byte[]> entry : entries) {
            buffer.put(entry.key, entry.value == null ? WriteBuffer.DELETED : entry.value);
        }
        updatePosition();
    }

    /** @return the old value, or null when the key was absent */
    @Override
    public synchronized byte[] delete(Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        byte[] old = get(key);
        if (old != null) {
            makeRoom(StoreLayout.userRecordBytes(key.get().length, 0));
            buffer.put(key, WriteBuffer.DELETED);
        }
        updatePosition();
        return old;
    }

    /** @return an upper bound of the record bytes the write takes */
    private long checkWrite(Bytes key, byte[] value) {
        int keyLength = key.get().length;
        if (keyLength > maxUserKeySize) {
            throw new IllegalArgumentException("key of " + keyLength + " bytes exceeds the limit of " + maxUserKeySize
                    + " bytes of a Mapcask state store (" + MapcaskConfig.MAX_KEY_SIZE_PROP_NAME
                    + " less the 1-byte prefix of the store's key layout)");
        }
        if (value != null && value.length > maxValueSize) {
            throw new IllegalArgumentException("value of " + value.length + " bytes exceeds the limit of "
                    + maxValueSize + " bytes set by " + MapcaskConfig.MAX_VALUE_SIZE_PROP_NAME);
        }
        return StoreLayout.userRecordBytes(keyLength, value == null ? 0 : value.length);
    }

    /** Writes the buffer out early (marked dirty) when {@code bytes} more would not fit in one atomic batch. */
    private void makeRoom(long bytes) {
        if (buffer.bytes() + bytes <= batchRoom || buffer.isEmpty()) {
            return;
        }
        WriteBatch batch = new WriteBatch();
        buffer.addTo(batch);
        if (!dirty) {
            batch.put(StoreLayout.DIRTY_KEY, new byte[0]);
        }
        write(batch);
        dirty = true;
        buffer.clear();
    }

    /** Records the input record being processed in the position, after its write (a query that sees the position sees the write). */
    private void updatePosition() {
        Optional<RecordMetadata> meta = context.recordMetadata();
        if (meta.isPresent() && meta.get().topic() != null) {
            position.withComponent(meta.get().topic(), meta.get().partition(), meta.get().offset());
        }
    }

    /** Writes restored changelog records as atomic batches, each as large as one segment allows. */
    private synchronized void restoreBatch(Collection<ConsumerRecord<byte[], byte[]>> records) {
        checkOpen();
        Position restored = Position.emptyPosition();
        WriteBatch batch = new WriteBatch();
        long bytes = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            long need = checkWrite(Bytes.wrap(record.key()), record.value());
            if (bytes + need > batchRoom) {
                write(batch);
                batch.clear();
                bytes = 0;
            }
            byte[] stored = StoreLayout.storedKey(record.key());
            if (record.value() == null) {
                batch.delete(stored);
            } else {
                batch.put(stored, record.value());
            }
            bytes += need;
            ChangelogRecordDeserializationHelper.applyChecksAndUpdatePosition(record, consistencyEnabled, restored);
        }
        write(batch);
        position.merge(restored);
    }

    /**
     * Makes every write durable, together with {@code changelogOffsets} (KIP-1035): the buffered
     * writes, the offsets and the position go into Mapcask as one atomic batch, then one sync. An
     * empty map forgets every offset; a null offset forgets that partition's. Does nothing when
     * nothing changed since the last commit, or when the store is closed.
     *
     * @throws ProcessorStateException when Mapcask failed to write or sync
     */
    @Override
    public synchronized void commit(Map<TopicPartition, Long> changelogOffsets) {
        if (!open) {
            return;
        }
        Map<TopicPartition, Long> offsets = new HashMap<>(committedOffsets);
        if (changelogOffsets.isEmpty()) {
            offsets.clear();
        }
        changelogOffsets.forEach((tp, offset) -> {
            if (offset == null) {
                offsets.remove(tp);
            } else {
                offsets.put(tp, offset);
            }
        });
        if (buffer.isEmpty() && !dirty && offsets.equals(committedOffsets) && position.equals(committedPosition)) {
            return;
        }
        Position positionNow = position.copy();
        byte[] offsetsValue = offsets.isEmpty() ? null : StoreLayout.encodeOffsets(offsets);
        byte[] positionValue = StoreLayout.encodePosition(positionNow);
        makeRoom(StoreLayout.metaRecordBytes(offsetsValue) + StoreLayout.metaRecordBytes(positionValue)
                + StoreLayout.metaRecordBytes(null));
        WriteBatch batch = new WriteBatch();
        buffer.addTo(batch);
        if (offsetsValue == null) {
            batch.delete(StoreLayout.OFFSETS_KEY);
        } else {
            batch.put(StoreLayout.OFFSETS_KEY, offsetsValue);
        }
        batch.put(StoreLayout.POSITION_KEY, positionValue);
        if (dirty) {
            batch.delete(StoreLayout.DIRTY_KEY);
        }
        write(batch);
        try {
            db.sync();
        } catch (MapcaskException e) {
            throw translate(e);
        }
        buffer.clear();
        dirty = false;
        committedOffsets = Map.copyOf(offsets);
        committedPosition = positionNow;
    }

    private void write(WriteBatch batch) {
        try {
            db.write(batch);
        } catch (MapcaskException e) {
            throw translate(e);
        }
    }

    /** @return the offset of {@code partition} that the last commit recorded (read back after a restart), or null */
    @Override
    public Long committedOffset(TopicPartition partition) {
        checkOpen();
        return committedOffsets.get(partition);
    }

    /** @return true: this store keeps its changelog offsets itself (KIP-1035) */
    @Override
    @SuppressWarnings("deprecation")
    public boolean managesOffsets() {
        return true;
    }

    /**
     * @return an upper bound of the bytes of the buffered writes, so that Kafka Streams commits
     *     early when they grow; 0 under exactly-once without transactional state stores, where
     *     Kafka Streams does not commit stores at its commits (an early commit would not help)
     */
    @Override
    public long approximateNumUncommittedBytes() {
        return committedEveryInterval ? buffer.bytes() : 0;
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return scan(from, to, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return scan(from, to, false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return scan(null, null, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return scan(null, null, false);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
        Objects.requireNonNull(prefix, "prefix cannot be null");
        Objects.requireNonNull(prefixKeySerializer, "prefixKeySerializer cannot be null");
        return snapshot(KeyRange.withPrefix(Bytes.wrap(prefixKeySerializer.serialize(null, prefix))), true);
    }

    private KeyValueIterator<Bytes, byte[]> scan(Bytes from, Bytes to, boolean forward) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            LOG.log(System.Logger.Level.WARNING, "Returning an empty iterator for a range from {0} to {1} of store {2}:"
                    + " from > to. The arguments may be in the wrong order, or their serde may not keep their order"
                    + " in the bytes", from, to, name);
            checkOpen();
            return new SnapshotIterator(this, List.of());
        }
        return snapshot(KeyRange.between(from, to), forward);
    }

    /**
     * Copies the entries of {@code range} in key order: every key of Mapcask is visited and the
     * matches sorted, with the buffered writes laid over them.
     */
    private KeyValueIterator<Bytes, byte[]> snapshot(KeyRange range, boolean forward) {
        checkOpen();
        // The buffer is read first: a commit in between moves writes from the buffer into
        // Mapcask, never back, so each write is seen in one place or the other.
        Map<Bytes, byte[]> pending = new HashMap<>();
        buffer.view().forEach((key, value) -> {
            if (range.contains(key)) {
                pending.put(key, value);
            }
        });
        TreeMap<Bytes, byte[]> found = new TreeMap<>(); // value null: read it from Mapcask
        List<KeyValue<Bytes, byte[]>> entries;
        try {
            db.forEachKey(stored -> {
                if (StoreLayout.isUserKey(stored)) {
                    Bytes key = StoreLayout.userKey(stored);
                    if (range.contains(key)) {
                        found.put(key, null);
                    }
                }
            });
            pending.forEach((key, value) -> {
                if (value == WriteBuffer.DELETED) {
                    found.remove(key);
                } else {
                    found.put(key, value);
                }
            });
            entries = new ArrayList<>(found.size());
            for (Map.Entry<Bytes, byte[]> e : (forward ? found : found.descendingMap()).entrySet()) {
                byte[] value = e.getValue() != null ? e.getValue() : stored(e.getKey().get());
                if (value != null) { // null: deleted by a commit since the keys were read
                    entries.add(KeyValue.pair(e.getKey(), value));
                }
            }
        } catch (MapcaskException e) {
            throw translate(e);
        }
        return new SnapshotIterator(this, entries);
    }

    /**
     * @return the number of keys, exact when nothing is buffered; the store's own entries are not
     *     counted
     */
    @Override
    public long approximateNumEntries() {
        checkOpen();
        try {
            long n = db.size();
            for (byte[] meta : StoreLayout.META_KEYS) {
                if (db.containsKey(meta)) {
                    n--;
                }
            }
            for (Map.Entry<Bytes, byte[]> e : buffer.view().entrySet()) {
                byte[] key = e.getKey().get();
                boolean stored = key.length <= maxUserKeySize && db.containsKey(StoreLayout.storedKey(key));
                if (e.getValue() == WriteBuffer.DELETED) {
                    n -= stored ? 1 : 0;
                } else {
                    n += stored ? 0 : 1;
                }
            }
            return Math.max(0, n);
        } catch (MapcaskException e) {
            throw translate(e);
        }
    }

    /** Answers {@code KeyQuery} and {@code RangeQuery} (and checks the position bound) as Kafka's own stores do. */
    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return StoreQueryUtils.handleBasicQueries(query, positionBound, config, this, position, context);
    }

    /** @return the input offsets whose effects this store holds (buffered writes included) */
    @Override
    public Position getPosition() {
        return position;
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /**
     * Drops the writes buffered since the last commit (Kafka Streams commits before a clean
     * close; after a dirty one they must not survive) and closes Mapcask. Idempotent.
     *
     * @throws ProcessorStateException when Mapcask failed to close (it is released either way)
     */
    @Override
    public synchronized void close() {
        if (!open) {
            return;
        }
        open = false;
        buffer.clear();
        try {
            db.close();
        } catch (MapcaskException e) {
            throw new ProcessorStateException("closing Mapcask state store " + name + " failed: " + e.getMessage(), e);
        }
    }

    void checkOpen() {
        if (!open) {
            throw new InvalidStateStoreException("Store " + name + " is currently closed");
        }
    }

    private RuntimeException translate(MapcaskException e) {
        if (e instanceof MapcaskClosedException) {
            return new InvalidStateStoreException("Store " + name + " is currently closed", e);
        }
        return new ProcessorStateException("Mapcask state store " + name + " failed: " + e.getMessage(), e);
    }
}
