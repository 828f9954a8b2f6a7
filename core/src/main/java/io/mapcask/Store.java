package io.mapcask;

import io.mapcask.mmap.DirectoryLock;
import io.mapcask.mmap.Fs;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * The engine behind {@link Mapcask}: write path, read path, rotation and close. Built by
 * {@link Recovery}.
 *
 * <p>Threads: writers ({@code put}, {@code delete}, {@code sync}, {@code close}) serialize on
 * {@link #writeLock}; {@code get} takes no lock. A record's bytes are complete in the mapping
 * before its location is published in the keydir (release), so a reader never lands on a
 * half-written record.
 *
 * <p>Fail-stop: an IO failure on the write path (force, fsync, manifest append, hint write)
 * records its cause in {@link #failed}; every later write and sync throws with that cause,
 * reads continue. A failed preallocation of a new segment is the exception: nothing committed
 * depends on it, so the store stays writable and the next write tries again.
 *
 * <p>Hot paths ({@link #get}, {@link #put}): no allocation besides the returned value, no
 * logging, no lambdas.
 */
final class Store {
    /** A reader retries this often when segments keep being retired under it before giving up. */
    private static final int MAX_READ_RETRIES = 1_000_000;
    /** Upper bound of {@link #gatherGroup()}'s wait, whatever a force took. */
    private static final long MAX_GATHER_NANOS = 1_000_000;
    /** A group-commit follower's longest park before it looks again, whatever woke it or not. */
    private static final long PARK_NANOS = 1_000_000;
    private static final System.Logger LOG = System.getLogger("io.mapcask");

    private final Fs fs;
    private final Path dir;
    private final MapcaskOptions options;
    private final DirectoryLock lock;
    private final LiveSet live;
    private final Keydir keydir;
    private final Segments segments;
    private final SegmentUsage usage;
    private final long seed;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final StoreMetrics metrics = new StoreMetrics();
    private final byte[] scratch = new byte[RecordFormat.CRC_COVERED_HEADER];
    private final CRC32C crc = new CRC32C();
    private final ThreadLocal<ReadScratch> readScratch = ThreadLocal.withInitial(ReadScratch::new);

    /**
     * Serializes forcing of the active segment (and its durable mark). Taken after the write lock
     * when both are needed; a group-commit leader takes it alone, so writers keep appending while
     * it forces.
     */
    private final ReentrantLock forceLock = new ReentrantLock();
    /** One compaction at a time; taken before the write lock, which a compaction holds only briefly. */
    private final ReentrantLock compactionLock = new ReentrantLock();
    /**
     * Iterations hold it shared; retiring (unmapping) segments holds it exclusively. So an
     * iteration never meets an unmapped segment, and compaction's unlinks wait for it. Taken
     * before the write lock, never while holding it: an iteration's action may write.
     */
    private final ReentrantReadWriteLock retireLock =
            new ReentrantReadWriteLock();
    /** Group-commit followers park here until a force covers them. */
    private final DurableWaiters durableWaiters = new DurableWaiters();
    /** What readers without the write lock pass, so that no mapping is unmapped under them. */
    private final ReadGate gate = new ReadGate();
    private final LongSupplier durableNow = () -> this.durableSequence;

    private Manifest manifest;
    /** Written under the write lock; read by group-commit leaders without it. */
    private volatile ActiveSegment active;
    /**
     * Write lock: the next active segment, created ahead of the roll by the background thread
     * ({@link #prepareSpareSegment}); no edit names it until the roll, so after a crash it is an
     * orphan that recovery deletes, and a close deletes it.
     */
    private ActiveSegment spare;
    /** Write lock: a committed compaction is repointing the keydir in chunks ({@link #repointAll}). */
    private boolean repointing;
    private final Condition repointDone = writeLock.newCondition();
    private long lastSequence;
    /** Every record with a sequence up to this is durable. */
    private volatile long durableSequence;
    /** Writers inside a group-commit wait (leader included). */
    private final java.util.concurrent.atomic.AtomicInteger groupWaiters = new java.util.concurrent.atomic.AtomicInteger();
    /** Force lock only: how many writers waited when the last group-commit force ended, and its duration. */
    private int writersAtLastForce;
    private long lastGroupForceNanos;

    /** putAsync futures waiting for their record to be durable, lowest sequence first. */
    private final PriorityQueue<PendingDurable> pendingAsync = new PriorityQueue<>();
    private volatile boolean compactionPaused;
    /** The background thread, or null when nothing runs in the background. Guarded by this. */
    private AgentRunner background;
    /** Set by close: no background thread starts after it. Guarded by this. */
    private boolean backgroundStopped;
    /**
     * Write lock: sealed segments whose hint the background thread has still to write ({@link
     * #writePendingHint}). A hint only speeds up an open, which scans a segment without one and
     * writes its hint then, so it need not be on disk before the seal's commit.
     */
    private final java.util.ArrayDeque<Long> hintsPending = new java.util.ArrayDeque<>();

    private record PendingDurable(long sequence, CompletableFuture<Void> future)
            implements Comparable<PendingDurable> {
        @Override
        public int compareTo(PendingDurable o) {
            return Long.compare(sequence, o.sequence);
        }
    }
    /** Segments removed by a committed edit whose files are not unlinked yet. */
    private final Set<Long> pendingUnlinks = new TreeSet<>();
    /** The next id to hand out; every id below it has been used (or skipped) and is never reused. */
    private long nextSegmentId;
    private volatile boolean closed;
    private volatile Throwable failed;
    /**
     * The last sequence and next segment id of the state the keydir checkpoint on disk describes,
     * or -1 when it describes no state of this instance. Write lock.
     */
    private long checkpointSequence = -1;
    private long checkpointNextSegmentId = -1;

    Store(Fs fs, Path dir, MapcaskOptions options, DirectoryLock lock, Manifest manifest, LiveSet live,
            Keydir keydir, Segments segments, SegmentUsage usage, long seed, long lastSequence) {
        this.usage = usage;
        this.fs = fs;
        this.dir = dir;
        this.options = options;
        this.lock = lock;
        this.manifest = manifest;
        this.live = live;
        this.keydir = keydir;
        this.segments = segments;
        this.seed = seed;
        this.lastSequence = lastSequence;
        this.durableSequence = lastSequence;
        this.nextSegmentId = live.nextSegmentId();
    }

    private static final class ReadScratch {
        final CRC32C crc = new CRC32C();
        final byte[] header = new byte[RecordFormat.CRC_COVERED_HEADER];
    }

    Path dir() {
        return dir;
    }

    MapcaskOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- reads

    byte[] get(byte[] key) {
        long hash = KeyHash.hash(key, seed);
        for (int attempt = 0; ; attempt++) {
            int ticket = enterGate();
            try {
                long loc = presentLocation(key, hash);
                if (loc == Keydir.EMPTY) {
                    return null;
                }
                byte[] value = readValue(segments.get(Keydir.segmentId(loc)), Keydir.offset(loc), key);
                metrics.hits.increment();
                return value;
            } catch (Segments.Retired retired) {
                // The keydir named a segment retired since: ask it again.
                giveUpAfter(attempt, retired);
            } finally {
                gate.exit(ticket);
            }
        }
    }

    /**
     * Passes the read gate, so that nothing the caller reads is unmapped before {@link
     * ReadGate#exit}.
     *
     * @return the ticket for {@link ReadGate#exit}
     * @throws MapcaskClosedException when the store is closed
     */
    private int enterGate() {
        int ticket = gate.enter();
        if (ticket < 0) {
            throw new MapcaskClosedException(dir); // only close() shuts the gate
        }
        return ticket;
    }

    /** @return the location of the key's value, or {@link Keydir#EMPTY} (counted as a miss) when absent or deleted */
    private long presentLocation(byte[] key, long hash) {
        long loc = keydir.get(key, hash, segments);
        if (loc == Keydir.EMPTY || Keydir.isTombstone(loc)) {
            metrics.misses.increment();
            return Keydir.EMPTY;
        }
        return loc;
    }

    /**
     * Zero-copy read: hands {@code reader} a read-only view of the value in the mapping, which
     * stays mapped until the reader returns (a compaction's retirement or a close waits for it).
     */
    <T> T get(byte[] key, ValueReader<T> reader) {
        long hash = KeyHash.hash(key, seed);
        for (int attempt = 0; ; attempt++) {
            int ticket = enterGate();
            try {
                long loc = presentLocation(key, hash);
                if (loc == Keydir.EMPTY) {
                    return null;
                }
                metrics.hits.increment();
                Segment seg = segments.get(Keydir.segmentId(loc));
                long off = Keydir.offset(loc);
                MemorySegment d = seg.data;
                int valueLength = RecordFormat.valueLength(d, off);
                long valueOffset = RecordFormat.keyOffset(off) + key.length;
                if (valueLength < 0 || valueOffset + valueLength > d.byteSize()) {
                    throw new MapcaskCorruptionException(seg.path, off, "record value runs past the end of its segment");
                }
                if (options.verifyChecksums()
                        && RecordFormat.check(d, off, d.byteSize()) != RecordFormat.size(key.length, valueLength)) {
                    throw new MapcaskCorruptionException(seg.path, off, "record CRC mismatch (the data segment is damaged)");
                }
                return reader.read(d.asSlice(valueOffset, valueLength).asReadOnly());
            } catch (Segments.Retired retired) {
                giveUpAfter(attempt, retired);
            } finally {
                gate.exit(ticket);
            }
        }
    }

    /** A reader met a retired segment: it retries, unless that keeps happening (a bug, not a race). */
    private void giveUpAfter(int attempt, Segments.Retired retired) {
        if (attempt >= MAX_READ_RETRIES) {
            throw new MapcaskException("read of a key in " + dir + " kept meeting retired segments", retired);
        }
    }

    private byte[] readValue(Segment seg, long off, byte[] key) {
        MemorySegment d = seg.data;
        int valueLength = RecordFormat.valueLength(d, off);
        long valueOffset = RecordFormat.keyOffset(off) + key.length;
        if (valueLength < 0 || valueOffset + valueLength > d.byteSize()) {
            throw new MapcaskCorruptionException(seg.path, off, "record value runs past the end of its segment");
        }
        byte[] value = new byte[valueLength];
        MemorySegment.copy(d, ValueLayout.JAVA_BYTE, valueOffset, value, 0, valueLength);
        if (options.verifyChecksums()) {
            ReadScratch rs = readScratch.get();
            MemorySegment.copy(d, ValueLayout.JAVA_BYTE, off + RecordFormat.FLAGS_OFFSET, rs.header, 0, rs.header.length);
            CRC32C c = rs.crc;
            c.reset();
            c.update(rs.header);
            c.update(key);
            c.update(value);
            if ((int) c.getValue() != RecordFormat.crc(d, off)) {
                throw new MapcaskCorruptionException(seg.path, off, "record CRC mismatch (the data segment is damaged)");
            }
        }
        return value;
    }

    long size() {
        ensureOpen();
        return keydir.size();
    }

    // ---------------------------------------------------------------- writes

    /** Write conditions: checked under the write lock, so check and write are one atomic step. */
    private static final int UNCONDITIONAL = 0;
    private static final int IF_PRESENT = 1;
    private static final int IF_ABSENT = 2;
    private static final int IF_VALUE_EQUALS = 3;

    void put(byte[] key, byte[] value) {
        write(key, value, 0, UNCONDITIONAL, null);
    }

    boolean delete(byte[] key) {
        return write(key, null, RecordFormat.FLAG_TOMBSTONE, IF_PRESENT, null);
    }

    boolean putIfAbsent(byte[] key, byte[] value) {
        return write(key, value, 0, IF_ABSENT, null);
    }

    boolean replace(byte[] key, byte[] expected, byte[] value) {
        return write(key, value, 0, IF_VALUE_EQUALS, expected);
    }

    /**
     * Calls {@code action} with every key and value, in no particular order, without blocking
     * writers. Each key present for the whole iteration is visited exactly once, with a value it
     * held at some moment of the iteration; a key written or deleted during the iteration may be
     * visited or not. Compaction waits for the iteration to finish before it retires segments.
     * {@code value} is null when only keys are wanted.
     */
    void forEach(BiConsumer<byte[], byte[]> action, boolean withValues) {
        ensureOpen();
        retireLock.readLock().lock();
        try {
            keydir.forEachLocation(loc -> {
                if (Keydir.isTombstone(loc)) {
                    return;
                }
                byte[] key;
                byte[] value;
                int ticket = enterGate(); // against a close; the retire lock keeps compaction off
                try {
                    Segment seg = segments.get(Keydir.segmentId(loc));
                    long off = Keydir.offset(loc);
                    key = new byte[RecordFormat.keyLength(seg.data, off)];
                    MemorySegment.copy(seg.data, ValueLayout.JAVA_BYTE, RecordFormat.keyOffset(off), key,
                            0, key.length);
                    value = withValues ? readValue(seg, off, key) : null;
                } finally {
                    gate.exit(ticket);
                }
                action.accept(key, value); // outside the gate: the action may close the store
            });
        } finally {
            retireLock.readLock().unlock();
        }
    }

    boolean containsKey(byte[] key) {
        long hash = KeyHash.hash(key, seed);
        for (int attempt = 0; ; attempt++) {
            int ticket = enterGate();
            try {
                long loc = keydir.get(key, hash, segments);
                return loc != Keydir.EMPTY && !Keydir.isTombstone(loc);
            } catch (Segments.Retired retired) {
                giveUpAfter(attempt, retired);
            } finally {
                gate.exit(ticket);
            }
        }
    }

    /**
     * Appends one record when {@code condition} holds, then (in group mode) waits until it is durable.
     *
     * @return false when the condition did not hold and nothing was written
     */
    private boolean write(byte[] key, byte[] value, int flags, int condition, byte[] expected) {
        long sequence = appendIf(key, value, flags, condition, expected);
        if (sequence == 0) {
            return false;
        }
        awaitIfGroup(sequence);
        return true;
    }

    /**
     * Under the write lock: appends one record when {@code condition} holds.
     *
     * @return the record's sequence, or 0 (no record has it) when nothing was written
     */
    private long appendIf(byte[] key, byte[] value, int flags, int condition, byte[] expected) {
        long hash = KeyHash.hash(key, seed);
        writeLock.lock();
        try {
            ensureWritable();
            if (condition != UNCONDITIONAL && !holds(condition, key, hash, expected)) {
                return 0;
            }
            return append(key, hash, value, flags);
        } finally {
            writeLock.unlock();
        }
    }

    /** Under {@code sync.mode=group}, returns once the record is durable (outside the write lock). */
    private void awaitIfGroup(long sequence) {
        if (options.syncMode() == MapcaskOptions.SyncMode.GROUP) {
            awaitDurable(sequence);
        }
    }

    /** Under the write lock, which keeps segments from being retired meanwhile. */
    private boolean holds(int condition, byte[] key, long hash, byte[] expected) {
        long current = keydir.get(key, hash, segments);
        boolean present = current != Keydir.EMPTY && !Keydir.isTombstone(current);
        return switch (condition) {
            case IF_PRESENT -> present;
            case IF_ABSENT -> !present;
            case IF_VALUE_EQUALS -> present && Arrays.equals(expected,
                    readValue(segments.get(Keydir.segmentId(current)), Keydir.offset(current), key));
            default -> throw new IllegalArgumentException("condition " + condition);
        };
    }

    /**
     * Group commit: returns once the record with {@code sequence} is durable. A writer that finds
     * no force running becomes the leader and forces every record published so far; the writers
     * that arrive meanwhile wait (without queuing on the lock, which would serialize them) and
     * are usually covered by the next force, which one of them leads. So with n writers a force
     * covers about n - 1 records.
     */
    private void awaitDurable(long sequence) {
        groupWaiters.incrementAndGet();
        try {
            awaitDurableCounted(sequence);
        } finally {
            groupWaiters.decrementAndGet();
        }
    }

    private void awaitDurableCounted(long sequence) {
        while (durableSequence < sequence) {
            ensureWritable();
            if (forceLock.tryLock()) {
                try {
                    if (durableSequence < sequence) {
                        gatherGroup();
                        long start = System.nanoTime();
                        int ticket = enterGate(); // a close may unmap the active segment meanwhile
                        try {
                            forceActiveLocked();
                        } finally {
                            gate.exit(ticket);
                        }
                        lastGroupForceNanos = System.nanoTime() - start;
                        if (durableSequence < sequence && active == null) {
                            throw new MapcaskException("record " + sequence + " of " + dir
                                    + " is in no active segment and was not made durable by its sealing");
                        }
                    }
                } catch (IOException e) {
                    throw fail("group commit of " + dir, e);
                } finally {
                    forceLock.unlock();
                    durableWaiters.release(durableNow, true); // and one to lead the next force
                }
            } else {
                durableWaiters.enqueue(sequence);
                if (durableSequence < sequence && forceLock.isLocked()) {
                    DurableWaiters.park(PARK_NANOS);
                    if (Thread.currentThread().isInterrupted()) {
                        throw new MapcaskException("interrupted while waiting for a group commit of " + dir);
                    }
                }
            }
        }
    }

    /**
     * Under the force lock, before a group-commit force: the writers the last force covered were
     * woken by its end and are on their way back with their next record; without a pause this
     * force would start before them and cover only the writers that missed the last one, so that
     * each writer catches every other force. Waits, yielding, until as many records are pending as
     * writers were waiting at the end of the last force, for at most that force's duration.
     * Measured here (16 writers, 2 vCPUs, GroupCommitProbe): 14.5 records a force instead of 8.2,
     * 29k puts/s instead of 25.5k; 4 writers 11.7k instead of 8.5k. Since writers are released
     * before the mark's flush (forceActiveLocked) most of them are back before the force lock is
     * free, and the wait still lifts 16 writers from 11.8 records a force and 34k puts/s to 15.9
     * and 36k.
     */
    private void gatherGroup() {
        ActiveSegment a = active;
        int target = writersAtLastForce;
        if (a == null || target <= 1) {
            return;
        }
        long deadline = System.nanoTime() + Math.min(lastGroupForceNanos, MAX_GATHER_NANOS);
        while (a.publishedSequence() - durableSequence < target && System.nanoTime() < deadline) {
            Thread.yield();
        }
    }

    /**
     * Under the force lock: forces the active segment's published records, then its durable mark.
     * The records are durable once their own flush returns, so the group-commit writers and the
     * {@code putAsync} futures they hold are released then, and return (and append their next
     * records) while the mark's flush runs: a group-commit cycle costs one flush of waiting, not
     * two. The caller itself returns only after both. A mark whose flush was left out ({@link
     * #deferMark}) is written with these records.
     */
    private void forceActiveLocked() throws IOException {
        ActiveSegment a = active;
        if (a == null) {
            completePendingAsync();
            return;
        }
        boolean singleFlush = options.syncSingleFlush();
        long forced = a.forceRecords(singleFlush || a.markLags());
        if (forced > durableSequence) {
            durableSequence = forced;
            writersAtLastForce = groupWaiters.get();
            durableWaiters.release(durableNow, false);
        }
        completePendingAsync();
        a.forceMark(singleFlush || deferMark(a, forced), metrics.forces);
    }

    /**
     * Under the force lock, after a group-commit force's records flush: whether to leave the
     * durable mark's own flush out, because records published after this force are waiting for
     * the next one, which then writes the mark for this force's records with its own (as {@code
     * sync.single.flush} does, vouching only for bytes earlier flushes made durable). Under load a
     * group cycle then costs one flush instead of two; the force after which nobody waits flushes
     * the mark itself, so the mark catches up as soon as the writes pause.
     */
    private boolean deferMark(ActiveSegment a, long forced) {
        return options.syncMode() == MapcaskOptions.SyncMode.GROUP && a.publishedSequence() > forced;
    }

    /** Completes the putAsync futures whose records are durable (or fails them all after a failure). */
    private void completePendingAsync() {
        synchronized (pendingAsync) {
            Throwable cause = failed;
            for (PendingDurable p; (p = pendingAsync.peek()) != null; ) {
                if (cause != null) {
                    p.future().completeExceptionally(new MapcaskIOException("the store at " + dir
                            + " failed before this write was durable: " + cause.getMessage(), cause));
                } else if (p.sequence() <= durableSequence) {
                    p.future().complete(null);
                } else {
                    break;
                }
                pendingAsync.poll();
            }
        }
    }

    /**
     * Writes like {@code put} and returns at once; the future completes when the record is
     * durable: by the background thread under {@code group} and {@code interval}, at once under
     * {@code always}, at the next {@code sync()} or {@code close()} under {@code none}.
     */
    CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
        long sequence = appendIf(key, value, 0, UNCONDITIONAL, null);
        if (options.syncMode() == MapcaskOptions.SyncMode.GROUP) {
            startBackgroundThread(); // the thread that forces for async puts
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (pendingAsync) {
            pendingAsync.add(new PendingDurable(sequence, future));
        }
        completePendingAsync(); // the record may have become durable meanwhile
        return future;
    }

    boolean hasPendingAsync() {
        MapcaskOptions.SyncMode mode = options.syncMode();
        if (mode != MapcaskOptions.SyncMode.GROUP && mode != MapcaskOptions.SyncMode.INTERVAL) {
            return false;
        }
        synchronized (pendingAsync) {
            return !pendingAsync.isEmpty();
        }
    }

    /** The background force: like {@code sync()}, but quiet when the store is closed or failed. */
    boolean syncInBackground() {
        if (closed || failed != null) {
            completePendingAsync();
            return false;
        }
        try {
            forceActive();
            return true;
        } catch (IOException e) {
            fail("background sync of " + dir, e);
            completePendingAsync();
            return false;
        }
    }

    void pauseCompaction() {
        compactionPaused = true;
    }

    void resumeCompaction() {
        compactionPaused = false;
    }

    boolean compactionPaused() {
        return compactionPaused;
    }

    /** Starts the background thread when a sync mode or background compaction needs one. Once, at open. */
    Store startBackground() {
        if (options.syncMode() == MapcaskOptions.SyncMode.INTERVAL || options.compactionBackground()) {
            startBackgroundThread();
        }
        return this;
    }

    /**
     * Starts the background thread once. Under {@code group} it is started by the first {@code
     * putAsync} (nothing else needs it); its idle sleep is 1 ms when it forces for interval syncs
     * or async puts, 10 ms when it only watches the compaction clock.
     */
    private synchronized void startBackgroundThread() {
        if (background != null || backgroundStopped) {
            return;
        }
        boolean interval = options.syncMode() == MapcaskOptions.SyncMode.INTERVAL;
        boolean group = options.syncMode() == MapcaskOptions.SyncMode.GROUP;
        BackgroundWork work = new BackgroundWork(this, interval ? options.syncIntervalNanos() : 0,
                options.compactionBackground() ? options.compactionIntervalNanos() : 0);
        background = new AgentRunner(new SleepingMillisIdleStrategy(interval || group ? 1 : 10),
                e -> LOG.log(System.Logger.Level.WARNING, "background work of " + dir + " failed: " + e), null, work);
        AgentRunner.startOnThread(background, r -> {
            Thread t = new Thread(r, "mapcask-background " + dir.getFileName());
            t.setDaemon(true);
            return t;
        });
    }

    /** Stops the background thread for good, waiting for the work it is doing. */
    private void stopBackground() {
        AgentRunner runner;
        synchronized (this) {
            backgroundStopped = true;
            runner = background;
        }
        if (runner != null) {
            runner.close();
        }
    }

    /** Forces the active segment's published records. */
    private void forceActive() throws IOException {
        forceLock.lock();
        try {
            forceActiveLocked();
        } finally {
            forceLock.unlock();
        }
    }

    /** @return the highest sequence known durable: every write up to it survives any crash */
    long durableSequence() {
        return durableSequence;
    }

    /** Under the write lock. @return the sequence of the appended record */
    private long append(byte[] key, long hash, byte[] value, int flags) {
        try {
            int valueLength = value == null ? 0 : value.length;
            ActiveSegment a = activeWithRoom(RecordFormat.size(key.length, valueLength));
            long sequence = appendRecord(a, key, 0, key.length, value, 0, valueLength, hash, flags);
            a.publish();
            if (options.syncMode() == MapcaskOptions.SyncMode.ALWAYS) {
                forceActive();
            }
            return sequence;
        } catch (IOException e) {
            throw fail("write to " + dir, e);
        }
    }

    /**
     * Appends a batch atomically with respect to crashes: its records carry the batch flag, the
     * last one the batch-end flag, all in one segment, published together; recovery drops a
     * batch whose end did not survive. Readers may see its records one by one as they land.
     *
     * @param bytes the record bytes of the whole batch, as the caller checked them against a segment
     */
    void write(WriteBatch batch, long bytes) {
        byte[] data = batch.data();
        long[] hashes = new long[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            hashes[i] = KeyHash.hash(data, batch.keyOffset(i), batch.keyLength(i), seed);
        }
        // The misses of the keys' slots overlap here, outside the lock (the low 32 bits of each
        // hash, its hash word, come first in the little-endian longs).
        keydir.touch(MemorySegment.ofArray(hashes), 0, 8L * hashes.length, 8);
        long sequence;
        writeLock.lock();
        try {
            ensureWritable();
            ActiveSegment a = activeWithRoom(bytes);
            sequence = 0;
            for (int i = 0; i < batch.size(); i++) {
                int flags = RecordFormat.FLAG_BATCH
                        | (i == batch.size() - 1 ? RecordFormat.FLAG_BATCH_END : 0)
                        | (batch.isDelete(i) ? RecordFormat.FLAG_TOMBSTONE : 0);
                sequence = appendRecord(a, data, batch.keyOffset(i), batch.keyLength(i),
                        data, batch.valueOffset(i), batch.valueLength(i), hashes[i], flags);
            }
            a.publish();
            if (options.syncMode() == MapcaskOptions.SyncMode.ALWAYS) {
                forceActive();
            }
        } catch (IOException e) {
            throw fail("batch write to " + dir, e);
        } finally {
            writeLock.unlock();
        }
        awaitIfGroup(sequence);
    }

    /** Under the write lock: an active segment with room for {@code bytes} of records, rotating when full. */
    private ActiveSegment activeWithRoom(long bytes) throws IOException {
        ActiveSegment a = active;
        if (a == null || !a.fits(bytes)) {
            SegmentRollEvent event = Jfr.on() ? new SegmentRollEvent() : null;
            if (event != null) {
                event.begin();
            }
            long sealedId = a == null ? 0 : a.id();
            long sealedLength = a == null ? 0 : a.writePosition();
            if (a != null) {
                sealActive();
            }
            a = createActive();
            metrics.rolled();
            if (event != null && event.shouldCommit()) {
                event.directory = dir.toString();
                event.sealedSegmentId = sealedId;
                event.sealedLength = sealedLength;
                event.newSegmentId = a.id();
                event.commit();
            }
            maybeRotateManifest();
        }
        return a;
    }

    /**
     * Under the write lock: appends one record (key and value given as ranges of arrays; a
     * tombstone's value is empty) and points the keydir at it; the caller publishes.
     */
    private long appendRecord(ActiveSegment a, byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset,
            int valueLength, long hash, int flags) {
        long sequence = ++lastSequence;
        long offset = a.append(sequence, flags, key, keyOffset, keyLength, value, valueOffset, valueLength, scratch, crc);
        metrics.written(flags, a.writePosition() - offset);
        long location = Keydir.location(a.id(), offset, (flags & RecordFormat.FLAG_TOMBSTONE) != 0);
        usage.superseded(location, keydir.put(key, keyOffset, keyLength, hash, location, segments));
        return sequence;
    }

    void sync() {
        writeLock.lock();
        try {
            ensureWritable();
            forceActive();
        } catch (IOException e) {
            throw fail("sync of " + dir, e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Seals the active segment: force, hint, manifest edit. Under the write lock. */
    private void sealActive() throws IOException {
        ActiveSegment a = active;
        forceActive();
        boolean hintLater = backgroundRunning();
        if (!hintLater) {
            HintWriter.write(fs, dir, a.id(), a.segment.data, a.writePosition(), seed);
        }
        commit(new ManifestEdit(nextSegmentId, lastSequence, List.of(), List.of(a.sealedMeta())));
        active = null;
        if (hintLater) {
            hintsPending.add(a.id());
        }
    }

    /**
     * Creates, fsyncs and commits a new active segment. A failure before the commit (typically a
     * full disk at preallocation) leaves the store writable: the half-made file is no live file.
     */
    private ActiveSegment createActive() throws IOException {
        ActiveSegment a = spare;
        spare = null;
        if (a == null) {
            long id = nextSegmentId++;
            try {
                a = createSegmentFile(id);
            } catch (IOException e) {
                throw new MapcaskIOException("cannot create data segment " + FileNames.data(dir, id) + " of "
                        + options.segmentSize() + " bytes (" + MapcaskConfig.SEGMENT_SIZE_PROP_NAME
                        + "); is the disk full? The store stays writable: " + e.getMessage(), e);
            }
        }
        long id = a.id();
        segments.put(a.segment);
        try {
            commit(new ManifestEdit(nextSegmentId, lastSequence, List.of(), List.of(SegmentMeta.active(id))));
        } catch (IOException e) {
            segments.remove(id);
            a.segment.unmap();
            throw e;
        }
        active = a;
        return a;
    }

    /**
     * Creates {@code <id>.data} ready to be named active: preallocated, mapped, header forced, file
     * and directory fsynced. On failure the half-made file is deleted (no edit names it).
     */
    private ActiveSegment createSegmentFile(long id) throws IOException {
        try {
            ActiveSegment a = ActiveSegment.create(fs, dir, id, options.segmentSize());
            try {
                fs.syncDirectory(dir);
            } catch (IOException e) {
                a.segment.unmap();
                throw e;
            }
            return a;
        } catch (IOException e) {
            IoErrorEvent.emit(dir, "creation of data segment " + FileNames.data(dir, id), e, false);
            try {
                fs.delete(FileNames.data(dir, id));
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Background thread: faults in the active segment's next pages ahead of the writer ({@link
     * ActiveSegment#populateAhead}), as far ahead as this store has written since it opened, at
     * most {@code segment.populate.ahead}, so that a store that writes little makes no page dirty
     * that it will not fill soon.
     */
    boolean populateAhead() {
        ActiveSegment a;
        long ahead;
        writeLock.lock();
        try {
            if (closed || failed != null || active == null) {
                return false;
            }
            a = active;
            ahead = Math.min(options.segmentPopulateAhead(), metrics.bytesWritten());
        } finally {
            writeLock.unlock();
        }
        return a.populateAhead(ahead); // no lock: a close waits for this thread, a retirement for the call
    }

    /** @return the segment being appended to (tests) */
    ActiveSegment activeForTest() {
        return active;
    }

    /**
     * Background thread: once the active segment is half full, creates the segment that the roll
     * will name active, so that the roll (on a writer's thread, under the write lock) costs one
     * manifest edit instead of a preallocation and three fsyncs (measured: 23 ms of a 130 ms roll
     * of 64 MiB segments). A failure here is not the store's: the roll creates its own.
     *
     * @return true when it created one
     */
    boolean prepareSpareSegment() {
        long id;
        writeLock.lock();
        try {
            ActiveSegment a = active;
            if (closed || failed != null || spare != null || a == null || a.writePosition() < options.segmentSize() / 2) {
                return false;
            }
            id = nextSegmentId++;
        } finally {
            writeLock.unlock();
        }
        ActiveSegment created;
        try {
            created = createSegmentFile(id); // no lock: writers go on; close() waits for this thread
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not create the next data segment of " + dir
                    + " ahead of time (the next roll will): " + e);
            return false;
        }
        writeLock.lock();
        try {
            spare = created;
        } finally {
            writeLock.unlock();
        }
        return true;
    }

    private synchronized boolean backgroundRunning() {
        return background != null && !backgroundStopped;
    }

    /**
     * Background thread: writes the hint of one sealed segment that has none yet (see {@link
     * #hintsPending}), outside the write lock: at the roll, on a writer's thread, it took 45-140 ms
     * of a 64 MiB segment (reading every record header, writing and fsyncing 24 bytes a record).
     * The retire lock keeps a compaction from unmapping the segment meanwhile. A failure costs the
     * next open a scan, not data: it is logged.
     *
     * @return true when it wrote one
     */
    boolean writePendingHint() {
        retireLock.readLock().lock();
        try {
            Segment seg;
            long length;
            writeLock.lock();
            try {
                Long id = hintsPending.poll();
                if (id == null || closed || failed != null) {
                    return false;
                }
                SegmentMeta m = live.get(id);
                if (m == null || !m.sealed()) {
                    return false; // compacted away meanwhile
                }
                seg = segments.get(id);
                length = m.length();
            } finally {
                writeLock.unlock();
            }
            return writeHint(seg, length);
        } finally {
            retireLock.readLock().unlock();
        }
    }

    /** Writes the hint of a sealed segment; a failure is logged, not the store's (it costs a scan). */
    private boolean writeHint(Segment seg, long length) {
        try {
            HintWriter.write(fs, dir, seg.id, seg.data, length, seed);
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not write the hint of " + seg.path
                    + " (the next open scans the segment instead): " + e);
            return false;
        }
    }

    /** Under the write lock, at close (the background thread has stopped): writes the hints still pending. */
    private void writePendingHintsAtClose() {
        for (Long id; (id = hintsPending.poll()) != null; ) {
            SegmentMeta m = live.get(id);
            if (m != null && m.sealed()) {
                writeHint(segments.get(id), m.length());
            }
        }
    }

    /** Under the write lock, at close: deletes the spare segment, which no edit names. */
    private void dropSpare() {
        ActiveSegment s = spare;
        spare = null;
        if (s != null) {
            s.segment.unmap();
            try {
                fs.delete(FileNames.data(dir, s.id()));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not delete the unused segment "
                        + FileNames.data(dir, s.id()) + " (the next open will): " + e);
            }
        }
    }

    // ---------------------------------------------------------------- backup

    /**
     * Writes a backup of the store as of now into {@code dest} ({@link Backup}): forces the active
     * segment and takes the snapshot under the write lock (writers wait for that one force), then
     * links and copies without it, under the compaction lock, so that no compaction removes a
     * segment being linked; writers go on meanwhile.
     *
     * @return the backup's last sequence
     */
    long backup(Path dest, ProgressListener progress) {
        try {
            Backup.checkDestination(fs, dest);
        } catch (IOException e) {
            throw new MapcaskIOException("cannot back up " + dir + " to " + dest + ": " + e.getMessage(), e);
        }
        compactionLock.lock();
        try {
            Backup.Snapshot snapshot;
            writeLock.lock();
            try {
                ensureWritable();
                forceActive();
                ActiveSegment a = active;
                List<SegmentMeta> sealed = new ArrayList<>();
                for (SegmentMeta m : live.segments()) {
                    if (m.sealed()) {
                        sealed.add(m);
                    }
                }
                snapshot = new Backup.Snapshot(seed, nextSegmentId, lastSequence, manifest.number(), sealed,
                        a == null || a.records() == 0 ? null : a.sealedMeta());
            } catch (IOException e) {
                throw fail("sync before the backup of " + dir, e);
            } finally {
                writeLock.unlock();
            }
            try {
                Backup.write(fs, dir, dest, snapshot, progress);
            } catch (IOException e) {
                throw new MapcaskIOException("backup of " + dir + " to " + dest + " failed and was removed (the store"
                        + " is unchanged): " + e.getMessage(), e);
            }
            return snapshot.lastSequence();
        } finally {
            compactionLock.unlock();
        }
    }

    // ---------------------------------------------------------------- compaction

    /**
     * One full compaction pass: seals the active segment, then rewrites the live records of
     * every sealed segment. Holds the write lock throughout (writers wait; readers do not).
     */
    void compact() {
        compact(ProgressListener.NONE);
    }

    /** {@link #compact()}, telling {@code progress} how many input bytes the copy has read. */
    void compact(ProgressListener progress) {
        compactionLock.lock();
        try {
            List<Long> inputs;
            writeLock.lock();
            try {
                ensureWritable();
                if (active != null) {
                    sealActive();
                }
                // A full compaction is for disk space: the store has no active segment now, and a
                // spare would keep a whole preallocated segment until the next write.
                dropSpare();
                inputs = sealedIds();
            } catch (IOException e) {
                throw fail("seal before compaction of " + dir, e);
            } finally {
                writeLock.unlock();
            }
            compactInputs(inputs, progress);
        } finally {
            compactionLock.unlock();
        }
    }

    /**
     * One policy-driven pass ({@link CompactionPolicy}): compacts the sealed segments that are
     * mostly dead, or small and numerous. Background compaction will run it.
     *
     * @return the ids compacted; empty when nothing passed a threshold
     */
    List<Long> compactByPolicy() {
        compactionLock.lock();
        try {
            List<Long> chosen;
            writeLock.lock();
            try {
                ensureWritable();
                List<SegmentMeta> sealed = new ArrayList<>();
                for (SegmentMeta m : live.segments()) {
                    if (m.sealed()) {
                        sealed.add(m);
                    }
                }
                chosen = CompactionPolicy.select(sealed, usage.snapshot(), options);
            } finally {
                writeLock.unlock();
            }
            compactInputs(chosen, ProgressListener.NONE);
            return chosen;
        } finally {
            compactionLock.unlock();
        }
    }

    /** Compacts the given sealed segments (see {@link #compactInputs}). */
    void compact(List<Long> inputIds) {
        compactionLock.lock();
        try {
            compactInputs(inputIds, ProgressListener.NONE);
        } finally {
            compactionLock.unlock();
        }
    }

    /**
     * Compacts sealed segments (DESIGN §5), under the compaction lock. The copy runs without the
     * write lock, so writers go on meanwhile: write the outputs under fresh ids and fsync them;
     * fsync the directory. Then, under the write lock: commit {added, removed}; repoint the keydir
     * where it still points at the copied record (a write made during the copy wins); forget the
     * dropped tombstones' keys unless they were written again; retire and unlink the inputs. A
     * failure before the commit abandons the compaction (outputs deleted, inputs untouched, store
     * writable); a failure of the commit itself is fail-stop.
     */
    private void compactInputs(List<Long> inputIds, ProgressListener progress) {
        if (inputIds.isEmpty()) {
            return;
        }
        CompactionEvent event = Jfr.on() ? new CompactionEvent() : null;
        if (event != null) {
            event.begin();
        }
        Set<Long> ids = new HashSet<>(inputIds);
        List<Compactor.Input> inputs = new ArrayList<>();
        long floor;
        writeLock.lock();
        try {
            ensureWritable();
            for (long id : inputIds) {
                SegmentMeta m = live.get(id);
                if (m == null || !m.sealed()) {
                    throw new IllegalArgumentException("segment " + id + " is not a live sealed segment");
                }
                inputs.add(new Compactor.Input(segments.get(id), m.length()));
            }
            // Segments created during the copy hold only newer sequences: the floor stays right.
            floor = ProtocolMutant.is(ProtocolMutant.DROP_TOMBSTONES_WITHOUT_RULE) ? Long.MAX_VALUE : tombstoneFloor(ids);
        } finally {
            writeLock.unlock();
        }
        Compactor.Result result;
        try {
            result = new Compactor(fs, dir, options.segmentSize(), options.compactionRate(), keydir, segments, gate, seed,
                    this::allocateSegmentId, progress).copy(inputs, floor);
            if (!ProtocolMutant.is(ProtocolMutant.SKIP_OUTPUT_DIRECTORY_SYNC)) {
                fs.syncDirectory(dir);
            }
            if (ProtocolMutant.is(ProtocolMutant.UNLINK_BEFORE_COMMIT)) {
                for (long id : inputIds) {
                    fs.delete(FileNames.data(dir, id));
                    fs.delete(FileNames.hint(dir, id));
                }
            }
        } catch (IOException e) {
            IoErrorEvent.emit(dir, "compaction of " + dir, e, false);
            throw new MapcaskIOException("compaction of " + dir + " failed before its commit and was abandoned;"
                    + " the store is unchanged and writable: " + e.getMessage(), e);
        } catch (IllegalStateException unmapped) {
            ensureOpen(); // close() unmapped the inputs under the copy
            throw unmapped;
        }
        writeLock.lock();
        try {
            if (closed || failed != null) {
                Compactor.discard(fs, dir, result.outputs());
                ensureWritable();
            }
            commitCompaction(inputIds, result);
            compacted(inputs, result, event);
            repointing = true;
        } finally {
            writeLock.unlock();
        }
        repointAll(result, ids, inputIds);
        retire(inputIds);
    }

    /**
     * Step 5 of a compaction: unmaps and unlinks its committed inputs, which no keydir entry names
     * any more. It first waits for running iterations (they may still hold locations into the
     * inputs), without the write lock, so that writers go on meanwhile.
     */
    private void retire(List<Long> inputIds) {
        retireLock.writeLock().lock();
        try {
            List<Segment> removed = new ArrayList<>();
            writeLock.lock();
            try {
                if (closed) {
                    return; // close() unmapped them; recovery unlinks what the committed edit removed
                }
                for (long id : inputIds) {
                    removed.add(segments.remove(id));
                }
            } finally {
                writeLock.unlock();
            }
            // Outside the write lock: the wait for readers still inside them, and the unmapping
            // (closing a shared arena is a handshake with every thread), are milliseconds that
            // writers need not wait for.
            gate.drain();
            for (Segment seg : removed) {
                seg.unmap();
            }
            writeLock.lock();
            try {
                if (closed || failed != null) {
                    return; // fail-stop, or closed meanwhile: recovery unlinks them
                }
                unlinkRemoved();
                try {
                    maybeRotateManifest();
                } catch (IOException e) {
                    throw fail("manifest rotation of " + dir, e);
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            retireLock.writeLock().unlock();
        }
    }

    /** Under the write lock: counts a committed compaction, and ends its JFR event (when there is one). */
    private void compacted(List<Compactor.Input> inputs, Compactor.Result result, CompactionEvent event) {
        long inputBytes = 0;
        for (Compactor.Input in : inputs) {
            inputBytes += in.length();
        }
        long outputBytes = 0;
        for (Compactor.Output o : result.outputs()) {
            outputBytes += o.length();
        }
        metrics.compacted(inputBytes, outputBytes, result.recordsCopied(), result.droppedTombstones().size());
        if (event != null && event.shouldCommit()) {
            event.directory = dir.toString();
            event.inputSegments = inputs.size();
            event.outputSegments = result.outputs().size();
            event.inputBytes = inputBytes;
            event.outputBytes = outputBytes;
            event.recordsCopied = result.recordsCopied();
            event.tombstonesDropped = result.droppedTombstones().size();
            event.commit();
        }
    }

    /** Under the write lock: step 3 of a compaction, the commit. */
    private void commitCompaction(List<Long> inputIds, Compactor.Result result) {
        List<SegmentMeta> added = new ArrayList<>();
        for (Compactor.Output o : result.outputs()) {
            segments.put(o.segment());
            added.add(o.meta());
        }
        try {
            commit(new ManifestEdit(nextSegmentId, lastSequence, inputIds, added));
        } catch (IOException e) {
            throw fail("compaction commit of " + dir, e);
        }
        for (long id : inputIds) {
            pendingUnlinks.add(id); // until retire() unmaps them, this also holds the manifest back
        }
        dropCheckpoint();
    }

    /** Records repointed under one hold of the write lock. */
    private static final int REPOINT_CHUNK = 1024;

    /**
     * Step 4 of a compaction, after its commit: points the keys copied into the outputs at their
     * copies, and forgets the tombstones it dropped. It takes the write lock for {@value
     * #REPOINT_CHUNK} records at a time, so that writers wait for one chunk instead of the whole
     * pass (measured in one piece at 64 MiB segments: 65-196 ms a compaction). Between chunks some
     * keys point at their copies and some still at their inputs, both intact (the inputs stay
     * mapped until {@link #retire}); a write between chunks wins as it always does (the repoint
     * is a compare-and-set); and {@code close()} waits for the pass ({@link #repointing}), so the
     * keydir checkpoint never names an input.
     */
    private void repointAll(Compactor.Result result, Set<Long> inputs, List<Long> inputIds) {
        writeLock.lock();
        try {
            for (Compactor.Output o : result.outputs()) {
                for (long off = SegmentHeader.DATA_START; off < o.length(); ) {
                    off = repoint(o, inputs, off, REPOINT_CHUNK);
                    if (off < o.length()) {
                        letWritersIn();
                    }
                }
            }
            for (int i = 0; i < result.droppedTombstones().size(); i++) {
                long loc = result.droppedTombstones().getLong(i);
                MemorySegment data = segments.get(Keydir.segmentId(loc)).data;
                long off = Keydir.offset(loc);
                long keyOffset = RecordFormat.keyOffset(off);
                int keyLength = RecordFormat.keyLength(data, off);
                keydir.compareAndSet(data, keyOffset, keyLength, KeyHash.hash(data, keyOffset, keyLength, seed), loc,
                        Keydir.DEAD, segments);
            }
            for (long id : inputIds) {
                usage.remove(id);
            }
        } finally {
            repointing = false;
            repointDone.signalAll();
            writeLock.unlock();
        }
    }

    /**
     * Held the write lock: releases it until the writers waiting for it have had it (for at most
     * {@value #LET_WRITERS_IN_NANOS} ns). The lock is not fair, and a parked writer woken by the
     * release needs tens of microseconds to run; relocking at once would take the lock straight
     * back, chunk after chunk (measured: writers then still waited up to 91 ms a compaction).
     */
    private void letWritersIn() {
        writeLock.unlock();
        long deadline = System.nanoTime() + LET_WRITERS_IN_NANOS;
        while (writeLock.hasQueuedThreads() && System.nanoTime() < deadline) {
            Thread.yield();
        }
        writeLock.lock();
    }

    private static final long LET_WRITERS_IN_NANOS = 1_000_000;

    /** Under the write lock: waits until a compaction's repoint pass is over (close, abandon). */
    private void awaitRepointing() {
        while (repointing) {
            repointDone.awaitUninterruptibly();
        }
    }

    private long allocateSegmentId() {
        writeLock.lock();
        try {
            return nextSegmentId++;
        } finally {
            writeLock.unlock();
        }
    }

    /** Under the write lock: ids of the live sealed segments, ascending. */
    private List<Long> sealedIds() {
        List<Long> ids = new ArrayList<>();
        for (SegmentMeta m : live.segments()) {
            if (m.sealed()) {
                ids.add(m.id());
            }
        }
        return ids;
    }

    /** Test hook: seals the active segment now, as rotation does when it is full. */
    void rotateForTest() {
        writeLock.lock();
        try {
            ensureWritable();
            if (active != null) {
                sealActive();
            }
        } catch (IOException e) {
            throw fail("rotation of " + dir, e);
        } finally {
            writeLock.unlock();
        }
    }

    /** @return a snapshot of the counters and state; see {@link MapcaskStats} */
    MapcaskStats stats() {
        writeLock.lock();
        try {
            ensureOpen();
            forceLock.lock();
            try {
                long retiredMapped = 0;
                for (long id : pendingUnlinks) {
                    Segment stillMapped = segments.find(id);
                    retiredMapped += stillMapped == null ? 0 : stillMapped.data.byteSize();
                }
                return metrics.snapshot(dir, live, usage.snapshot(), active, keydir, manifest, pendingUnlinks.size(),
                        retiredMapped, compactionLock.isLocked(), lastSequence, durableSequence);
            } finally {
                forceLock.unlock();
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Recovery hands over what it did; once, before the store is shared. @return this */
    Store recovered(RecoveryReport report) {
        metrics.recovered(report);
        return this;
    }

    /** Test hook: segment id → {live bytes, dead bytes}. */
    Map<Long, long[]> usageForTest() {
        writeLock.lock();
        try {
            return usage.snapshot();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Recomputes live and dead bytes from scratch by reading every record of every live segment
     * and asking the keydir whether it points there: the check of the running counters.
     *
     * @return segment id → {live bytes, dead bytes}
     */
    Map<Long, long[]> scanUsage() {
        writeLock.lock();
        try {
            Map<Long, long[]> m = new TreeMap<>();
            for (SegmentMeta meta : live.segments()) {
                MemorySegment data = segments.get(meta.id()).data;
                long end = meta.sealed() ? meta.length() : active.writePosition();
                long[] bytes = new long[2];
                for (long off = SegmentHeader.DATA_START; off < end; ) {
                    int keyLength = RecordFormat.keyLength(data, off);
                    long size = RecordFormat.size(keyLength, RecordFormat.valueLength(data, off));
                    long keyOffset = RecordFormat.keyOffset(off);
                    long location = Keydir.location(meta.id(), off, RecordFormat.isTombstone(data, off));
                    boolean newest = keydir.get(data, keyOffset, keyLength, KeyHash.hash(data, keyOffset, keyLength, seed),
                            segments) == location;
                    bytes[newest ? 0 : 1] += size;
                    off += size;
                }
                m.put(meta.id(), bytes);
            }
            return m;
        } finally {
            writeLock.unlock();
        }
    }

    /** Test hook: ids of the live sealed segments, ascending. */
    List<Long> sealedIdsForTest() {
        writeLock.lock();
        try {
            return sealedIds();
        } finally {
            writeLock.unlock();
        }
    }

    /** Lowest sequence held by a live segment outside {@code inputs}; tombstones below it may go. */
    private long tombstoneFloor(Set<Long> inputs) {
        long floor = Long.MAX_VALUE;
        for (SegmentMeta m : live.segments()) {
            if (m.sealed() && !inputs.contains(m.id()) && m.minSequence() > 0) {
                floor = Math.min(floor, m.minSequence());
            }
        }
        if (active != null && active.records() > 0) {
            floor = Math.min(floor, active.minSequence());
        }
        return floor;
    }

    /**
     * Under the write lock: points keys whose newest record was copied into {@code out} at their
     * new location, for at most {@code records} records from {@code off}.
     *
     * @return the offset of the first record not looked at
     */
    private long repoint(Compactor.Output out, Set<Long> inputs, long off, int records) {
        MemorySegment data = out.segment().data;
        for (int n = 0; n < records && off < out.length(); n++) {
            int keyLength = RecordFormat.keyLength(data, off);
            long keyOffset = RecordFormat.keyOffset(off);
            long hash = KeyHash.hash(data, keyOffset, keyLength, seed);
            long current = keydir.get(data, keyOffset, keyLength, hash, segments);
            long moved = Keydir.location(out.segment().id, off, RecordFormat.isTombstone(data, off));
            if (current != Keydir.EMPTY && inputs.contains(Keydir.segmentId(current))
                    && segments.sequenceAt(current) == RecordFormat.sequence(data, off)
                    && keydir.compareAndSet(data, keyOffset, keyLength, hash, current, moved, segments)) {
                usage.superseded(moved, current);
            } else {
                usage.deadOnArrival(moved); // a newer write won while the copy was made
            }
            off += RecordFormat.size(keyLength, RecordFormat.valueLength(data, off));
        }
        return off;
    }

    /**
     * Unlinks the files of segments that committed edits removed. A failure is not fatal (the
     * edit is committed, recovery deletes what no edit names) but keeps the manifest from
     * rotating, so that the edit that removed them stays readable.
     *
     * @return true when nothing is left to unlink
     */
    private boolean unlinkRemoved() {
        for (var it = pendingUnlinks.iterator(); it.hasNext(); ) {
            long id = it.next();
            if (segments.find(id) != null) {
                continue; // committed away but still mapped: retire() unlinks it after unmapping
            }
            try {
                fs.delete(FileNames.data(dir, id));
                fs.delete(FileNames.hint(dir, id));
                it.remove();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not unlink removed segment "
                        + FileNames.data(dir, id) + " (recovery will): " + e);
            }
        }
        return pendingUnlinks.isEmpty();
    }

    /** Appends and forces a manifest edit (the commit point), then applies it. */
    private void commit(ManifestEdit edit) throws IOException {
        manifest.append(edit);
        live.apply(edit);
    }

    /**
     * Rotates the manifest when it has grown past its limit. Called when an operation is complete,
     * never between a commit and the unlinks it allows: recovery tells a file removed by an edit
     * (a leftover, deleted) from a committed file whose edit was lost (corruption) only while the
     * removing edit is in the manifest.
     */
    private void maybeRotateManifest() throws IOException {
        if (manifest.size() > options.manifestMaxSize() && unlinkRemoved()) {
            manifest = rotateManifest(fs, dir, manifest, live);
        }
    }

    /**
     * Writes the live set as the first edit of the next manifest and points CURRENT at it; the
     * old manifest is deleted only after CURRENT is durable. The directory is fsynced first so
     * that the unlinks of files the old manifest removed are durable before it is forgotten.
     */
    static Manifest rotateManifest(Fs fs, Path dir, Manifest old, LiveSet live) throws IOException {
        ManifestRotationEvent event = Jfr.on() ? new ManifestRotationEvent() : null;
        if (event != null) {
            event.begin();
        }
        long number = old.number() + 1;
        fs.syncDirectory(dir);
        Manifest next = Manifest.create(fs, dir, number, live.snapshot(), old.hashSeed());
        try {
            fs.syncDirectory(dir);
            CurrentFile.write(fs, dir, number);
        } catch (IOException | RuntimeException e) {
            next.close();
            throw e;
        }
        old.close();
        fs.delete(dir.resolve(FileNames.manifest(old.number())));
        if (event != null && event.shouldCommit()) {
            event.directory = dir.toString();
            event.previousNumber = old.number();
            event.number = number;
            event.previousBytes = old.size();
            event.reason = ManifestRotationEvent.SIZE;
            event.commit();
        }
        return next;
    }

    // ---------------------------------------------------------------- state

    private void ensureOpen() {
        if (closed) {
            throw new MapcaskClosedException(dir);
        }
    }

    private void ensureWritable() {
        ensureOpen();
        Throwable cause = failed;
        if (cause != null) {
            throw new MapcaskIOException("the store at " + dir + " stopped accepting writes after an IO failure ("
                    + cause.getMessage() + "); reopen it to recover", cause);
        }
    }

    private MapcaskIOException fail(String what, IOException e) {
        if (failed == null) {
            failed = e;
        }
        IoErrorEvent.emit(dir, what, e, true);
        completePendingAsync();
        return new MapcaskIOException(what + " failed, the store is now read-only until reopened: " + e.getMessage(), e);
    }

    /** Seals the active segment (when the store is healthy), unmaps everything, releases the lock. */
    void close() {
        stopBackground(); // waits for a background compaction in progress
        // Before the write lock: a zero-copy reader may write from inside its call.
        gate.shut();
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            awaitRepointing();
            closed = true;
            dropSpare();
            if (failed == null) {
                writePendingHintsAtClose();
            }
            IOException error = null;
            SegmentMeta sealedAtClose = null;
            if (failed == null && active != null) {
                long id = active.id();
                try {
                    sealActive();
                    sealedAtClose = live.get(id);
                } catch (IOException e) {
                    error = e;
                }
            }
            for (Segment s : segments.all()) {
                s.unmap();
            }
            if (failed == null && error == null) {
                writeCheckpoint();
            }
            if (sealedAtClose != null) {
                error = truncate(sealedAtClose, error);
            }
            try {
                manifest.close();
            } catch (IOException e) {
                error = error == null ? e : error;
            }
            try {
                lock.close();
            } catch (IOException e) {
                error = error == null ? e : error;
            }
            if (error != null) {
                throw new MapcaskIOException("close of " + dir + " failed: " + error.getMessage(), error);
            }
            Throwable cause = failed;
            if (cause != null) {
                // close() is a barrier; after a failed one it cannot vouch for anything.
                throw new MapcaskIOException("closed " + dir + " after an IO failure (" + cause.getMessage()
                        + "): writes not covered by a successful sync() may be lost; reopen to recover", cause);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Test hook: the process "dies" here. Releases the directory lock and unmaps without forcing,
     * sealing or writing anything, as a killed process would; what reaches the disk is whatever
     * the OS writes back.
     */
    void abandon() {
        stopBackground();
        gate.shut();
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            awaitRepointing();
            closed = true;
            if (spare != null) {
                spare.segment.unmap(); // left on disk, as by a killed process: an orphan
            }
            for (Segment s : segments.all()) {
                s.unmap();
            }
            try {
                manifest.close();
                lock.close();
            } catch (IOException e) {
                throw new MapcaskIOException("abandon of " + dir + " failed", e);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * At a clean close, under the write lock, every live segment sealed: writes the keydir
     * checkpoint for the next open (or, when it is turned off, removes an old one). A failure
     * costs the next open its speed, not data (every record is durable in a hinted segment, and a
     * checkpoint that did not reach the disk whole is refused by its CRC), so it is logged.
     */
    private void writeCheckpoint() {
        if (options.keydirCheckpoint() && lastSequence == checkpointSequence
                && nextSegmentId == checkpointNextSegmentId) {
            return; // no write, rotation or compaction since the checkpoint this instance was opened from
        }
        try {
            if (options.keydirCheckpoint()) {
                KeydirCheckpoint.write(fs, dir, seed, nextSegmentId, lastSequence, List.copyOf(live.segments()),
                        usage.snapshot(), keydir);
            } else if (fs.exists(dir.resolve(FileNames.KEYDIR))) {
                fs.delete(dir.resolve(FileNames.KEYDIR));
            }
        } catch (IOException | IllegalStateException e) {
            // Not thrown: close must go on to release the manifest and the lock.
            LOG.log(System.Logger.Level.WARNING, "could not write the keydir checkpoint of " + dir
                    + " (the next open reads the hints instead): " + e);
        }
    }

    /**
     * After a compaction's commit the keydir checkpoint may cover a removed segment, and recovery
     * would refuse it: its space goes back now. Not fsynced: a checkpoint that comes back after a
     * crash is refused the same way.
     */
    private void dropCheckpoint() {
        checkpointSequence = -1;
        Path checkpoint = dir.resolve(FileNames.KEYDIR);
        try {
            if (fs.exists(checkpoint)) {
                fs.delete(checkpoint);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete the stale keydir checkpoint " + checkpoint
                    + " (recovery will): " + e);
        }
    }

    /** Recovery: the keydir was loaded from a checkpoint that covers every live segment. */
    void checkpointIsCurrent() {
        checkpointSequence = lastSequence;
        checkpointNextSegmentId = nextSegmentId;
    }

    private IOException truncate(SegmentMeta sealed, IOException error) {
        // The preallocated tail past the sealed length holds nothing; give the space back.
        try (var h = fs.open(FileNames.data(dir, sealed.id()), false)) {
            h.truncate(sealed.length());
        } catch (IOException e) {
            return error == null ? e : error;
        }
        return error;
    }
}
