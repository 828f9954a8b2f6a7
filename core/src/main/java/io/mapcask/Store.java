package io.mapcask;

import io.mapcask.mmap.DirectoryLock;
import io.mapcask.mmap.Fs;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

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

    private final Fs fs;
    private final Path dir;
    private final MapcaskOptions options;
    private final DirectoryLock lock;
    private final LiveSet live;
    private final Keydir keydir;
    private final Segments segments;
    private final long seed;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final byte[] scratch = new byte[RecordFormat.CRC_COVERED_HEADER];
    private final CRC32C crc = new CRC32C();
    private final ThreadLocal<ReadScratch> readScratch = ThreadLocal.withInitial(ReadScratch::new);

    private Manifest manifest;
    private ActiveSegment active;
    private long lastSequence;
    private volatile boolean closed;
    private volatile Throwable failed;

    Store(Fs fs, Path dir, MapcaskOptions options, DirectoryLock lock, Manifest manifest, LiveSet live,
            Keydir keydir, Segments segments, long seed, long lastSequence) {
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
            ensureOpen();
            try {
                long loc = keydir.get(key, hash, segments);
                if (loc == Keydir.EMPTY || Keydir.isTombstone(loc)) {
                    return null;
                }
                return readValue(segments.get(Keydir.segmentId(loc)), Keydir.offset(loc), key);
            } catch (IllegalStateException retiredOrUnmapped) {
                // The segment was retired (or the store closed) while we were inside it: ask the keydir again.
                if (attempt >= MAX_READ_RETRIES) {
                    throw new MapcaskException("read of a key in " + dir + " kept meeting retired segments", retiredOrUnmapped);
                }
            }
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

    void put(byte[] key, byte[] value) {
        long hash = KeyHash.hash(key, seed);
        writeLock.lock();
        try {
            ensureWritable();
            append(key, hash, value, 0);
        } finally {
            writeLock.unlock();
        }
    }

    boolean delete(byte[] key) {
        long hash = KeyHash.hash(key, seed);
        writeLock.lock();
        try {
            ensureWritable();
            long current = keydir.get(key, hash, segments);
            if (current == Keydir.EMPTY || Keydir.isTombstone(current)) {
                return false;
            }
            append(key, hash, null, RecordFormat.FLAG_TOMBSTONE);
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /** Under the write lock. */
    private void append(byte[] key, long hash, byte[] value, int flags) {
        long size = RecordFormat.size(key.length, value == null ? 0 : value.length);
        ActiveSegment a = active;
        try {
            if (a == null || !a.fits(size)) {
                if (a != null) {
                    sealActive();
                }
                a = createActive();
            }
            long offset = a.append(++lastSequence, flags, key, value, scratch, crc);
            keydir.put(key, hash, Keydir.location(a.id(), offset, flags != 0), segments);
            if (options.syncMode() == MapcaskOptions.SyncMode.ALWAYS) {
                a.sync();
            }
        } catch (IOException e) {
            throw fail("write to " + dir, e);
        }
    }

    void sync() {
        writeLock.lock();
        try {
            ensureWritable();
            if (active != null) {
                active.sync();
            }
        } catch (IOException e) {
            throw fail("sync of " + dir, e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Seals the active segment: force, hint, manifest edit. Under the write lock. */
    private void sealActive() throws IOException {
        ActiveSegment a = active;
        a.sync();
        HintWriter.write(fs, dir, a.id(), a.segment.data, a.writePosition());
        commit(new ManifestEdit(live.nextSegmentId(), lastSequence, List.of(), List.of(a.sealedMeta())));
        active = null;
    }

    /**
     * Creates, fsyncs and commits a new active segment. A failure before the commit (typically a
     * full disk at preallocation) leaves the store writable: the half-made file is no live file.
     */
    private ActiveSegment createActive() throws IOException {
        long id = live.nextSegmentId();
        ActiveSegment a;
        try {
            a = ActiveSegment.create(fs, dir, id, options.segmentSize());
            fs.syncDirectory(dir);
        } catch (IOException e) {
            try {
                fs.delete(FileNames.data(dir, id));
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new MapcaskIOException("cannot create data segment " + FileNames.data(dir, id) + " of "
                    + options.segmentSize() + " bytes (" + MapcaskConfig.SEGMENT_SIZE_PROP_NAME
                    + "); is the disk full? The store stays writable: " + e.getMessage(), e);
        }
        segments.put(a.segment);
        try {
            commit(new ManifestEdit(id + 1, lastSequence, List.of(), List.of(SegmentMeta.active(id))));
        } catch (IOException e) {
            segments.remove(id);
            a.segment.unmap();
            throw e;
        }
        active = a;
        return a;
    }

    /** Appends and forces a manifest edit (the commit point), then applies it. */
    private void commit(ManifestEdit edit) throws IOException {
        manifest.append(edit);
        live.apply(edit);
        if (manifest.size() > options.manifestMaxSize()) {
            manifest = rotateManifest(fs, dir, manifest, live);
        }
    }

    /**
     * Writes the live set as the first edit of the next manifest and points CURRENT at it; the
     * old manifest is deleted only after CURRENT is durable.
     */
    static Manifest rotateManifest(Fs fs, Path dir, Manifest old, LiveSet live) throws IOException {
        long number = old.number() + 1;
        Manifest next = Manifest.create(fs, dir, number, live.snapshot());
        try {
            fs.syncDirectory(dir);
            CurrentFile.write(fs, dir, number);
        } catch (IOException | RuntimeException e) {
            next.close();
            throw e;
        }
        old.close();
        fs.delete(dir.resolve(FileNames.manifest(old.number())));
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
        return new MapcaskIOException(what + " failed, the store is now read-only until reopened: " + e.getMessage(), e);
    }

    /** Seals the active segment (when the store is healthy), unmaps everything, releases the lock. */
    void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
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
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
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
