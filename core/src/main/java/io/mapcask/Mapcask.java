package io.mapcask;

import io.mapcask.mmap.Fs;
import io.mapcask.mmap.RealFs;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An open Mapcask store: an embeddable, crash-safe key-value store on memory-mapped segments.
 *
 * <pre>{@code
 * try (Mapcask db = Mapcask.open(Path.of("/var/lib/app/kv"))) {
 *     db.put(key, value);          // visible to get() on return
 *     db.sync();                   // everything written before is durable
 *     byte[] v = db.get(key);      // null when absent
 * }
 * }</pre>
 *
 * <p>Thread-safe: {@link #get} runs without locks, concurrently with writers; writers
 * serialize. See the package documentation for the full thread and error contract.
 */
public final class Mapcask implements AutoCloseable {
    private final Store store;

    private Mapcask(Store store) {
        this.store = store;
    }

    /**
     * Opens (or creates) the store in {@code dir} with options from system properties and
     * defaults ({@link MapcaskConfig}).
     *
     * @param dir the store's directory; created with its parents when missing
     * @return the open store
     * @throws MapcaskLockedException when another process or instance holds the directory
     * @throws MapcaskCorruptionException when the store's files are damaged beyond a torn tail
     * @throws MapcaskException when {@code dir} is not a directory, or holds files of something else
     * @throws IllegalArgumentException when a {@code mapcask.*} system property is invalid
     */
    public static Mapcask open(Path dir) {
        return open(dir, MapcaskOptions.fromSystemProperties());
    }

    /**
     * Opens (or creates) the store in {@code dir}.
     *
     * @param dir the store's directory; created with its parents when missing
     * @param options validated options
     * @return the open store
     * @throws MapcaskLockedException when another process or instance holds the directory
     * @throws MapcaskCorruptionException when the store's files are damaged beyond a torn tail
     * @throws MapcaskException when {@code dir} is not a directory, or holds files of something else
     */
    public static Mapcask open(Path dir, MapcaskOptions options) {
        return open(RealFs.INSTANCE, dir, options);
    }

    /** Opens through another file system (the fault-injecting one in tests). */
    static Mapcask open(Fs fs, Path dir, MapcaskOptions options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        return new Mapcask(Recovery.open(fs, dir.toAbsolutePath(), options).startBackground());
    }

    /**
     * Stores {@code value} under {@code key}, replacing any previous value. Visible to {@link
     * #get} when this returns; durable when it returns under {@code sync.mode=always}, else after
     * the next {@link #sync()}. Neither array is kept.
     *
     * @param key 1 to {@code mapcask.max.key.size} bytes
     * @param value 0 to {@code mapcask.max.value.size} bytes
     * @throws NullPointerException when {@code key} or {@code value} is null
     * @throws IllegalArgumentException when {@code key} is empty or too long, or {@code value} too long
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskIOException when the write failed; the store then refuses writes until reopened
     */
    public void put(byte[] key, byte[] value) {
        checkKey(key);
        checkValue(value);
        store.put(key, value);
    }

    /**
     * Reads the value of {@code key}.
     *
     * @param key 1 to {@code mapcask.max.key.size} bytes
     * @return a new array the caller owns, or null when the key is absent
     * @throws NullPointerException when {@code key} is null
     * @throws IllegalArgumentException when {@code key} is empty or too long
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskCorruptionException when the record's checksum does not match
     */
    public byte[] get(byte[] key) {
        checkKey(key);
        return store.get(key);
    }

    /**
     * Reads the value of {@code key} in place, without copying it: {@code reader} gets a
     * read-only view of the mapped value, valid only during the call (see {@link ValueReader}).
     *
     * @param key 1 to {@code mapcask.max.key.size} bytes
     * @param reader makes a result of the value; not called when the key is absent
     * @param <T> the reader's result
     * @return the reader's result, or null when the key is absent
     * @throws NullPointerException when {@code key} or {@code reader} is null
     * @throws IllegalArgumentException when {@code key} is empty or too long
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskCorruptionException when the record's checksum does not match
     */
    public <T> T get(byte[] key, ValueReader<T> reader) {
        checkKey(key);
        Objects.requireNonNull(reader, "reader");
        return store.get(key, reader);
    }

    /**
     * Deletes {@code key}.
     *
     * @param key 1 to {@code mapcask.max.key.size} bytes
     * @return true when the key was present
     * @throws NullPointerException when {@code key} is null
     * @throws IllegalArgumentException when {@code key} is empty or too long
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskIOException when the write failed; the store then refuses writes until reopened
     */
    public boolean delete(byte[] key) {
        checkKey(key);
        return store.delete(key);
    }

    /**
     * Applies every operation of {@code batch}, atomically with respect to crashes: after any
     * crash all of them are there or none is. Durable like a single {@code put} in each sync mode.
     * Other threads may see the batch's operations one by one while it is applied.
     *
     * @param batch the operations, in order
     * @throws NullPointerException when {@code batch} is null
     * @throws IllegalArgumentException when a key or value breaks its limit, or the batch does not
     *     fit in one segment ({@code mapcask.segment.size}); nothing is written then
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskIOException when the write failed; the store then refuses writes until reopened
     */
    public void write(WriteBatch batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.size() == 0) {
            return;
        }
        long bytes = 0;
        for (int i = 0; i < batch.size(); i++) {
            checkKeyLength(batch.keyLength(i));
            checkValueLength(batch.valueLength(i));
            bytes += RecordFormat.size(batch.keyLength(i), batch.valueLength(i));
        }
        long room = store.options().segmentSize() - SegmentHeader.DATA_START;
        if (bytes > room) {
            throw new IllegalArgumentException("batch of " + batch.size() + " operations needs " + bytes
                    + " bytes of records, more than one segment holds (" + room + " bytes with "
                    + MapcaskConfig.SEGMENT_SIZE_PROP_NAME + "=" + store.options().segmentSize() + ")");
        }
        store.write(batch, bytes);
    }

    /**
     * Stores {@code value} under {@code key} like {@link #put}, and returns without waiting for
     * durability: the future completes when the record is durable (by the background thread
     * under {@code sync.mode=group} and {@code interval}, at once under {@code always}, at the next
     * {@link #sync()} or {@link #close()} under {@code none}), or exceptionally when the store
     * fails first. The value is visible to {@link #get} when this returns.
     *
     * @param key 1 to {@code mapcask.max.key.size} bytes
     * @param value 0 to {@code mapcask.max.value.size} bytes
     * @return completes when the write is durable
     * @throws NullPointerException when {@code key} or {@code value} is null
     * @throws IllegalArgumentException when {@code key} is empty or too long, or {@code value} too long
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskIOException when the write failed; the store then refuses writes until reopened
     */
    public java.util.concurrent.CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
        checkKey(key);
        checkValue(value);
        return store.putAsync(key, value);
    }

    /** Stops background compaction from starting new passes until {@link #resumeCompaction()}; a pass in progress ends. */
    public void pauseCompaction() {
        store.pauseCompaction();
    }

    /** Lets background compaction run again after {@link #pauseCompaction()}. */
    public void resumeCompaction() {
        store.resumeCompaction();
    }

    /**
     * Stores {@code value} under {@code key} only when the key is absent; the check and the write
     * are one atomic step with respect to other writers.
     *
     * @param key 1 to {@code mapcask.max.key.size} bytes
     * @param value 0 to {@code mapcask.max.value.size} bytes
     * @return true when the key was absent and the value was stored
     * @throws NullPointerException when {@code key} or {@code value} is null
     * @throws IllegalArgumentException when {@code key} is empty or too long, or {@code value} too long
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskIOException when the write failed; the store then refuses writes until reopened
     */
    public boolean putIfAbsent(byte[] key, byte[] value) {
        checkKey(key);
        checkValue(value);
        return store.putIfAbsent(key, value);
    }

    /**
     * Replaces the value of {@code key} with {@code value} only when its current value equals
     * {@code expected} (byte for byte); atomic with respect to other writers.
     *
     * @param key 1 to {@code mapcask.max.key.size} bytes
     * @param expected the value the key must hold
     * @param value 0 to {@code mapcask.max.value.size} bytes
     * @return true when the key held {@code expected} and now holds {@code value}
     * @throws NullPointerException when an argument is null
     * @throws IllegalArgumentException when {@code key} is empty or too long, or {@code value} too long
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskIOException when the write failed; the store then refuses writes until reopened
     */
    public boolean replace(byte[] key, byte[] expected, byte[] value) {
        checkKey(key);
        Objects.requireNonNull(expected, "expected");
        checkValue(value);
        return store.replace(key, expected, value);
    }

    /**
     * @param key 1 to {@code mapcask.max.key.size} bytes
     * @return true when the key is present (no value is copied)
     * @throws NullPointerException when {@code key} is null
     * @throws IllegalArgumentException when {@code key} is empty or too long
     * @throws MapcaskClosedException after {@link #close()}
     */
    public boolean containsKey(byte[] key) {
        checkKey(key);
        return store.containsKey(key);
    }

    /**
     * Calls {@code action} with every key and its value, in no particular order, without
     * blocking writers. Each key present for the whole iteration is visited exactly once, with a
     * value it held at some moment of the iteration; a key written or deleted meanwhile may be
     * visited or not. Both arrays belong to the caller. A compaction waits for the iteration to
     * end before it retires segments.
     *
     * @param action called once per key
     * @throws NullPointerException when {@code action} is null
     * @throws MapcaskClosedException after {@link #close()}, also when the store closes meanwhile
     */
    public void forEach(java.util.function.BiConsumer<byte[], byte[]> action) {
        Objects.requireNonNull(action, "action");
        store.forEach(action, true);
    }

    /**
     * Calls {@code action} with every key, as {@link #forEach} does, without copying values.
     *
     * @param action called once per key
     * @throws NullPointerException when {@code action} is null
     * @throws MapcaskClosedException after {@link #close()}, also when the store closes meanwhile
     */
    public void forEachKey(java.util.function.Consumer<byte[]> action) {
        Objects.requireNonNull(action, "action");
        store.forEach((key, value) -> action.accept(key), false);
    }

    /**
     * Makes every write that returned before this call durable.
     *
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskIOException when forcing failed; the store then refuses writes until reopened
     */
    public void sync() {
        store.sync();
    }

    /**
     * Runs one full compaction pass, synchronously: seals the active segment and rewrites the
     * live records of every segment into new ones, then deletes the old ones. Crash-safe at every
     * step: the new segments are durable before one manifest edit swaps them in, and nothing is
     * deleted before that edit is durable. Readers continue meanwhile; writers wait.
     *
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskIOException when it failed; before its commit the store is unchanged and
     *     writable, at the commit the store refuses writes until reopened
     */
    public void compact() {
        store.compact();
    }

    /**
     * {@link #compact()}, telling {@code progress} how many bytes of the input segments the copy
     * has read, out of their total.
     *
     * @param progress called on this thread, once per record read
     * @throws NullPointerException when {@code progress} is null
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskIOException as {@link #compact()}
     */
    public void compact(ProgressListener progress) {
        Objects.requireNonNull(progress, "progress");
        store.compact(progress);
    }

    /**
     * @return a snapshot of the store's counters (since this open), segments, keydir, manifest
     *     and what the open did; cheap enough to poll every second
     * @throws MapcaskClosedException after {@link #close()}
     */
    public MapcaskStats stats() {
        return store.stats();
    }

    /**
     * Checks every file of a store without changing anything: replays the manifest, checks the
     * header and every record's CRC of every live segment (a torn tail is allowed only above the
     * durable mark of the active segment), and cross-checks every hint entry with the record it
     * names. Holds the directory's lock while it runs, so no instance can change the store
     * meanwhile; it does not run recovery.
     *
     * @param dir a store directory
     * @return the problems found (each with file and byte offset), warnings and counts
     * @throws MapcaskLockedException when an open instance (in this or another process) holds the store
     * @throws MapcaskException when {@code dir} is not a store directory, or cannot be read
     */
    public static VerificationReport verify(Path dir) {
        return verify(dir, ProgressListener.NONE);
    }

    /**
     * {@link #verify(Path)}, telling {@code progress} how many bytes it has checked.
     *
     * @param dir a store directory
     * @param progress called on this thread, often
     * @return the problems found (each with file and byte offset), warnings and counts
     * @throws MapcaskLockedException when an open instance (in this or another process) holds the store
     * @throws MapcaskException when {@code dir} is not a store directory, or cannot be read
     */
    public static VerificationReport verify(Path dir, ProgressListener progress) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(progress, "progress");
        return StoreVerifier.verify(RealFs.INSTANCE, dir.toAbsolutePath(), progress);
    }

    /**
     * Writes a consistent copy of the store, as of this call, into {@code dest}, while other
     * threads go on reading and writing: a store of its own that {@link #open} opens. It holds
     * exactly the writes up to one sequence (the returned one): every write that returned before
     * this call, none that started after it returned. Writers wait only for one force at its
     * start; a compaction waits for the backup to end. Sealed segments are hard-linked into
     * {@code dest} (copied when it is on another file system); the active segment is copied up to
     * the backup point. See {@code docs/operations.md}.
     *
     * @param dest a directory that does not exist (it is created, with its parents) or is empty
     * @return the backup's sequence: the highest write sequence it holds (see {@link #durableSequence()})
     * @throws NullPointerException when {@code dest} is null
     * @throws IllegalArgumentException when {@code dest} exists and is not an empty directory
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskIOException when writing the backup failed: what it made in {@code dest} is
     *     removed and the store is unchanged; or when forcing the store at the start failed, which
     *     makes it refuse writes until reopened, as a failed {@link #sync()} does
     */
    public long backup(Path dest) {
        return backup(dest, ProgressListener.NONE);
    }

    /**
     * {@link #backup(Path)}, telling {@code progress} how many bytes of segments it has linked or
     * copied, out of their total.
     *
     * @param dest a directory that does not exist (it is created, with its parents) or is empty
     * @param progress called on this thread, once per segment
     * @return the backup's sequence: the highest write sequence it holds
     * @throws NullPointerException when {@code dest} or {@code progress} is null
     * @throws IllegalArgumentException when {@code dest} exists and is not an empty directory
     * @throws MapcaskClosedException after {@link #close()}
     * @throws MapcaskIOException as {@link #backup(Path)}
     */
    public long backup(Path dest, ProgressListener progress) {
        Objects.requireNonNull(dest, "dest");
        Objects.requireNonNull(progress, "progress");
        return store.backup(dest.toAbsolutePath(), progress);
    }

    /**
     * @return the highest write sequence known durable: every write that returned before it was
     *     reached survives any crash (advanced by {@link #sync()}, and by every write under {@code
     *     sync.mode=always} or {@code group})
     */
    public long durableSequence() {
        return store.durableSequence();
    }

    /**
     * @return the number of keys present
     * @throws MapcaskClosedException after {@link #close()}
     */
    public long size() {
        return store.size();
    }

    /**
     * Seals the active segment (so the next open is fast), unmaps every segment and releases the
     * directory. Idempotent. Calls racing with it, and every call after it, throw {@link
     * MapcaskClosedException}.
     *
     * @throws MapcaskIOException when sealing failed, or the store had failed before (everything
     *     is released either way); writes covered by a successful {@link #sync()} are safe
     */
    @Override
    public void close() {
        store.close();
    }

    /** Test hook: the engine behind this facade. */
    Store storeForTest() {
        return store;
    }

    /** Test hook: drops the instance as a killed process would (no force, no seal); see {@link Store#abandon()}. */
    void abandon() {
        store.abandon();
    }

    private void checkValue(byte[] value) {
        Objects.requireNonNull(value, "value");
        checkValueLength(value.length);
    }

    private void checkValueLength(int length) {
        int max = store.options().maxValueSize();
        if (length > max) {
            throw new IllegalArgumentException("value of " + length + " bytes exceeds the limit of " + max
                    + " bytes set by " + MapcaskConfig.MAX_VALUE_SIZE_PROP_NAME
                    + " (a record must also fit in one segment, " + MapcaskConfig.SEGMENT_SIZE_PROP_NAME + ")");
        }
    }

    private void checkKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        checkKeyLength(key.length);
    }

    private void checkKeyLength(int length) {
        int max = store.options().maxKeySize();
        if (length == 0) {
            throw new IllegalArgumentException("key is empty; keys have 1 to " + max + " bytes ("
                    + MapcaskConfig.MAX_KEY_SIZE_PROP_NAME + ")");
        }
        if (length > max) {
            throw new IllegalArgumentException("key of " + length + " bytes exceeds the limit of " + max
                    + " bytes set by " + MapcaskConfig.MAX_KEY_SIZE_PROP_NAME);
        }
    }
}
