package io.mapcask;

import io.mapcask.mmap.FileHandle;
import io.mapcask.mmap.Fs;
import io.mapcask.mmap.MappedRegion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Online backup ({@link Mapcask#backup}): a copy of the store as of one synced sequence, made
 * while writers go on, that opens as a store of its own.
 *
 * <p>The store hands over a {@link Snapshot} taken under its write lock right after forcing the
 * active segment: the sealed segments, and the active one up to the end of its last record. Then,
 * without the write lock (the store's compaction lock keeps compaction from removing the sealed
 * segments meanwhile):
 * <ol>
 *   <li>each sealed segment is hard-linked into the backup, copied when the link fails (another
 *       file system); its hint too when it is valid (an invalid one is left out, and the
 *       backup's first open scans that segment and writes its own);
 *   <li>the active segment's first {@code length} bytes are copied and fsynced (later appends
 *       and durable marks are not part of the backup), and a hint is written for the copy;
 *   <li>the directory is fsynced; then a new manifest names exactly these segments, the active
 *       one as sealed at its copied length, and is fsynced; the directory is fsynced;
 *   <li>{@code CURRENT} is written last (temp, fsync, rename, directory fsync).
 * </ol>
 * Linking is safe because no store ever writes a sealed segment or a valid hint again: sealed
 * bytes are immutable, compaction writes new files and only unlinks old ones, and recovery
 * rewrites only hints it does not trust. Until {@code CURRENT} exists the directory holds files
 * of a store but no {@code CURRENT}, which {@code open} refuses; its manifest is never numbered
 * 1 (the source's number + 1), so it cannot pass for the leftovers of a store's creation. A
 * failure removes what was made; a crash can leave such a directory, which never opens as a store.
 */
final class Backup {
    private static final int COPY_CHUNK_BYTES = 1 << 20;

    /**
     * The store at the backup point.
     *
     * @param sealed the live sealed segments
     * @param active the active segment as it would be sealed at the backup point, or null when
     *     there is none or it holds no record
     */
    record Snapshot(long hashSeed, long nextSegmentId, long lastSequence, long manifestNumber,
            List<SegmentMeta> sealed, SegmentMeta active) {
    }

    private final Fs fs;
    private final Path source;
    private final Path dest;
    /** Names created in {@link #dest}, removed again when the backup fails. */
    private final List<Path> created = new ArrayList<>();
    private boolean createdDest;

    private final ProgressListener progress;
    private final long totalBytes;
    private long doneBytes;

    private Backup(Fs fs, Path source, Path dest, ProgressListener progress, Snapshot snapshot) {
        this.fs = fs;
        this.source = source;
        this.dest = dest;
        this.progress = progress;
        long total = snapshot.active() == null ? 0 : snapshot.active().length();
        for (SegmentMeta m : snapshot.sealed()) {
            total += m.length();
        }
        this.totalBytes = total;
    }

    private void advance(long bytes) {
        doneBytes += bytes;
        progress.progress(doneBytes, totalBytes);
    }

    /**
     * Refuses a destination that exists and is not an empty directory, before anything is done.
     *
     * @throws IllegalArgumentException naming {@code dest}
     */
    static void checkDestination(Fs fs, Path dest) throws IOException {
        if (!fs.exists(dest)) {
            return;
        }
        if (!fs.isDirectory(dest)) {
            throw new IllegalArgumentException("backup destination " + dest + " exists and is not a directory;"
                    + " a backup needs a new or empty directory");
        }
        List<String> names = fs.list(dest);
        if (!names.isEmpty()) {
            throw new IllegalArgumentException("backup destination " + dest + " is not empty (it holds '"
                    + names.getFirst() + "'); a backup needs a new or empty directory");
        }
    }

    /**
     * Writes the backup of {@code snapshot}, taken of the store in {@code source}, into {@code
     * dest}, telling {@code progress} how many segment bytes are linked or copied.
     */
    static void write(Fs fs, Path source, Path dest, Snapshot snapshot, ProgressListener progress) throws IOException {
        checkDestination(fs, dest);
        Backup b = new Backup(fs, source, dest, progress, snapshot);
        try {
            b.write(snapshot);
        } catch (IOException | RuntimeException e) {
            b.removeWhatWasMade(e);
            throw e;
        }
    }

    private void write(Snapshot snapshot) throws IOException {
        createdDest = !fs.exists(dest);
        Recovery.createDirectories(fs, dest);
        List<SegmentMeta> segments = new ArrayList<>(snapshot.sealed());
        for (SegmentMeta m : snapshot.sealed()) {
            linkOrCopy(FileNames.data(source, m.id()), FileNames.data(dest, m.id()), m.length());
            Path hint = FileNames.hint(source, m.id());
            if (validHint(hint, m, snapshot.hashSeed())) {
                linkOrCopy(hint, FileNames.hint(dest, m.id()), -1);
            }
            advance(m.length());
        }
        SegmentMeta active = snapshot.active();
        if (active != null) {
            Path copy = FileNames.data(dest, active.id());
            created.add(copy);
            copy(FileNames.data(source, active.id()), copy, active.length());
            writeHint(copy, active, snapshot.hashSeed());
            segments.add(active);
            advance(active.length());
        }
        fs.syncDirectory(dest);
        long number = snapshot.manifestNumber() + 1;
        created.add(dest.resolve(FileNames.manifest(number)));
        Manifest.create(fs, dest, number, new ManifestEdit(snapshot.nextSegmentId(), snapshot.lastSequence(),
                List.of(), segments), snapshot.hashSeed()).close();
        fs.syncDirectory(dest);
        created.add(dest.resolve(FileNames.CURRENT_TEMP));
        created.add(dest.resolve(FileNames.CURRENT));
        CurrentFile.write(fs, dest, number);
    }

    /** Hard-links {@code from} as {@code to}; copies its first {@code length} bytes (all when -1) when that fails. */
    private void linkOrCopy(Path from, Path to, long length) throws IOException {
        created.add(to);
        try {
            fs.link(from, to);
        } catch (IOException notLinkable) {
            if (fs.exists(to)) {
                throw notLinkable;
            }
            copy(from, to, length);
        }
    }

    /** Copies the first {@code length} bytes (all when -1) of {@code from} into a new file {@code to}, fsynced. */
    private void copy(Path from, Path to, long length) throws IOException {
        try (FileHandle in = fs.openReadOnly(from); FileHandle out = fs.open(to, true)) {
            long end = length < 0 ? in.size() : length;
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(COPY_CHUNK_BYTES, Math.max(1, end)));
            for (long pos = 0; pos < end; pos += buf.limit()) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                in.readFully(buf, pos);
                buf.flip();
                out.write(buf, pos);
            }
            out.sync();
        }
    }

    private boolean validHint(Path hint, SegmentMeta m, long hashSeed) throws IOException {
        if (!fs.exists(hint)) {
            return false;
        }
        try (FileHandle h = fs.openReadOnly(hint)) {
            long size = h.size();
            if (size == 0) {
                return false;
            }
            try (MappedRegion r = h.map(0, size, false)) {
                return HintFormat.validate(r.segment(), m.id(), m.length(), hashSeed) == null;
            }
        }
    }

    /** Writes (and fsyncs) the hint of the copied active segment from the copy itself. */
    private void writeHint(Path copy, SegmentMeta m, long hashSeed) throws IOException {
        created.add(FileNames.hint(dest, m.id()));
        try (FileHandle h = fs.openReadOnly(copy); MappedRegion r = h.map(0, m.length(), false)) {
            MemorySegment data = r.segment();
            HintWriter.write(fs, dest, m.id(), data, m.length(), hashSeed);
        }
    }

    /** After a failure: removes every name this backup created, then {@code dest} if it created it. */
    private void removeWhatWasMade(Throwable failure) {
        try {
            for (Path p : created.reversed()) {
                fs.delete(p);
            }
            if (createdDest) {
                fs.delete(dest);
            }
            fs.syncDirectory(createdDest ? dest.getParent() : dest);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
