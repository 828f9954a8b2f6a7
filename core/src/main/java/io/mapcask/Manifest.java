package io.mapcask;

import io.mapcask.mmap.FileHandle;
import io.mapcask.mmap.Fs;
import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * {@code MANIFEST-<n>}: the append-only log of {@link ManifestEdit}s. Appending an edit and
 * forcing the file is the commit point of every change to the set of live files.
 * Little-endian.
 *
 * <pre>
 * file header
 * offset  size  field     meaning
 * 0       8     magic     "MCSKMANI"
 * 8       4     version   1
 * 12      4     reserved  zero
 * 16      8     hashSeed  the store's key-hash seed, chosen at random when the store is created
 *                         and copied into every later manifest (hints are written with it)
 * 24            records, one per edit:
 *
 * record
 * 0       4     length    payload bytes, 24 .. 2^30, a multiple of 8
 * 4       4     crc       CRC32C of the payload
 * 8       n     payload   a ManifestEdit
 * </pre>
 *
 * The first record of a manifest is a snapshot of the whole live set. Each record is forced
 * before the next is appended, so only the last one can be torn, and nothing ever follows it;
 * replay stops there. A torn append can look like anything (its header lost while a later page
 * of its payload reached the disk, a partial header, garbage over its sectors), so a record that
 * is not intact is taken for the torn tail exactly when no intact record starts at any later
 * 8-byte boundary of the file; a damaged record followed by an intact one is corruption (see
 * {@link #canBeTornTail}).
 */
final class Manifest implements Closeable {
    static final long MAGIC = Layout.magic("MCSKMANI");
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 8;
    static final int HASH_SEED_OFFSET = VERSION_OFFSET + 8;
    static final int HEADER_SIZE = HASH_SEED_OFFSET + 8;
    static final int RECORD_LENGTH = 0;
    static final int RECORD_CRC = RECORD_LENGTH + 4;
    static final int RECORD_HEADER_SIZE = RECORD_CRC + 4;
    static final int MAX_EDIT_BYTES = 1 << 30;

    private final Fs fs;
    private final long number;
    private final long hashSeed;
    private final FileHandle file;
    private long size;

    private Manifest(Fs fs, long number, long hashSeed, FileHandle file, long size) {
        this.fs = fs;
        this.number = number;
        this.hashSeed = hashSeed;
        this.file = file;
        this.size = size;
    }

    /** What replaying a manifest found. */
    record Replay(long number, long hashSeed, LiveSet live, java.util.Set<Long> removedIds, long validEnd, boolean tornTail,
            int edits) {
    }

    /** Writes a new manifest holding {@code snapshot} and forces it; the caller then points CURRENT at it. */
    static Manifest create(Fs fs, Path dir, long number, ManifestEdit snapshot, long hashSeed) throws IOException {
        Path path = dir.resolve(FileNames.manifest(number));
        FileHandle h = fs.open(path, true);
        try {
            h.truncate(0);
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
            MemorySegment hs = MemorySegment.ofBuffer(header);
            Layout.putLong(hs, MAGIC_OFFSET, MAGIC);
            Layout.putInt(hs, VERSION_OFFSET, VERSION);
            Layout.putLong(hs, HASH_SEED_OFFSET, hashSeed);
            h.write(header, 0);
            Manifest m = new Manifest(fs, number, hashSeed, h, HEADER_SIZE);
            m.append(snapshot);
            return m;
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
    }

    /** Reopens a replayed manifest for appending; only valid when its replay found no torn tail. */
    static Manifest openForAppend(Fs fs, Path dir, Replay replay) throws IOException {
        return new Manifest(fs, replay.number(), replay.hashSeed(),
                fs.open(dir.resolve(FileNames.manifest(replay.number())), false), replay.validEnd());
    }

    /** Appends {@code edit} and forces it: the commit point. */
    void append(ManifestEdit edit) throws IOException {
        ManifestCommitEvent event = Jfr.on() ? new ManifestCommitEvent() : null;
        if (event != null) {
            event.begin();
        }
        int n = edit.encodedSize();
        ByteBuffer buf = ByteBuffer.allocate(RECORD_HEADER_SIZE + n);
        MemorySegment s = MemorySegment.ofBuffer(buf);
        edit.encode(s, RECORD_HEADER_SIZE);
        Layout.putInt(s, RECORD_LENGTH, n);
        Layout.putInt(s, RECORD_CRC, Crc.of(s, RECORD_HEADER_SIZE, n));
        file.write(buf, size);
        if (!ProtocolMutant.is(ProtocolMutant.SKIP_MANIFEST_FORCE)) {
            file.sync();
        }
        size += RECORD_HEADER_SIZE + n;
        if (event != null && event.shouldCommit()) {
            event.manifest = file.path().toString();
            event.editBytes = RECORD_HEADER_SIZE + n;
            event.segmentsAdded = edit.added().size();
            event.segmentsRemoved = edit.removed().size();
            event.commit();
        }
    }

    long number() {
        return number;
    }

    long hashSeed() {
        return hashSeed;
    }

    long size() {
        return size;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /** Replays {@code MANIFEST-<number>} without changing anything on disk. */
    static Replay replay(Fs fs, Path dir, long number) throws IOException {
        Path path = dir.resolve(FileNames.manifest(number));
        if (!fs.exists(path)) {
            throw new MapcaskCorruptionException(path, -1, "CURRENT names this manifest but it does not exist");
        }
        MemorySegment s;
        try (FileHandle h = fs.openReadOnly(path)) {
            s = h.readAll();
        }
        long size = s.byteSize();
        if (size < HEADER_SIZE) {
            throw new MapcaskCorruptionException(path, 0, "manifest of " + size + " bytes has no complete header");
        }
        Layout.requireMagicAndVersion(s, MAGIC, VERSION, path, "manifest");
        LiveSet live = new LiveSet();
        java.util.Set<Long> removed = new java.util.HashSet<>();
        long pos = HEADER_SIZE;
        int edits = 0;
        boolean torn = false;
        while (pos < size) {
            if (!intactAt(s, pos, size)) {
                if (!canBeTornTail(s, pos, size)) {
                    throw new MapcaskCorruptionException(path, pos,
                            "damaged manifest edit followed by more data (only the last edit may be torn)");
                }
                torn = true;
                break;
            }
            long payload = pos + RECORD_HEADER_SIZE;
            int length = Layout.getInt(s, pos + RECORD_LENGTH);
            ManifestEdit edit = ManifestEdit.decode(s, payload, length, path);
            if (edits == 0 && !edit.removed().isEmpty()) {
                throw new MapcaskCorruptionException(path, payload, "the first manifest edit is not a snapshot");
            }
            live.apply(edit);
            removed.addAll(edit.removed());
            if (edit.added().stream().anyMatch(m -> !m.sealed())
                    && live.segments().stream().filter(m -> !m.sealed()).count() > 1) {
                throw new MapcaskCorruptionException(path, payload,
                        "manifest edit leaves more than one active segment");
            }
            edits++;
            pos = payload + length;
        }
        if (edits == 0) {
            throw new MapcaskCorruptionException(path, HEADER_SIZE, "manifest holds no intact edit");
        }
        return new Replay(number, Layout.getLong(s, HASH_SEED_OFFSET), live, removed, pos, torn, edits);
    }

    /** True when {@code length} is a payload length that {@link #append} can write. */
    private static boolean plausibleLength(long length) {
        return length >= ManifestEdit.FIXED_SIZE && length <= MAX_EDIT_BYTES && length % 8 == 0;
    }

    /** True when the record at {@code pos} is complete and its CRC matches. */
    private static boolean intactAt(MemorySegment s, long pos, long size) {
        long payload = pos + RECORD_HEADER_SIZE;
        if (payload > size) {
            return false;
        }
        long length = Integer.toUnsignedLong(Layout.getInt(s, pos + RECORD_LENGTH));
        return plausibleLength(length) && payload + length <= size
                && Layout.getInt(s, pos + RECORD_CRC) == Crc.of(s, payload, length);
    }

    /**
     * Whether the damaged record at {@code pos} can be what a crash during its append left. The
     * last append is the only record that can be damaged by a crash and nothing is ever written
     * after it, so it is torn exactly when no intact record follows it. (Its own bytes cannot be
     * trusted: its header may be zero, partial or garbage.) Records start at multiples of 8.
     */
    private static boolean canBeTornTail(MemorySegment s, long pos, long size) {
        for (long p = pos + 8; p + RECORD_HEADER_SIZE <= size; p += 8) {
            if (intactAt(s, p, size)) {
                return false;
            }
        }
        return true;
    }
}
