package io.mapcask;

import io.mapcask.mmap.FileHandle;
import io.mapcask.mmap.Fs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.agrona.collections.Hashing;
import org.agrona.collections.Long2LongHashMap;

/**
 * {@code KEYDIR}: the keydir checkpoint, written by a clean close, so that the next open fills the
 * keydir with one sequential read instead of reading every hint and probing for every record.
 * Little-endian.
 *
 * <pre>
 * header
 * offset  size  field          meaning
 * 0       8     magic          "MCSKKDIR"
 * 8       4     version        1
 * 12      4     reserved       zero
 * 16      8     hashSeed       the store's key-hash seed the hash words were computed with
 * 24      8     nextSegmentId  the store's next segment id at the checkpoint: every segment
 *                              created after it has an id at least this
 * 32      8     lastSequence   the highest write sequence at the checkpoint
 * 40      8     segmentCount   s: the sealed segments the checkpoint covers
 * 48      8     entryCount     n: keydir entries
 * 56            segments, 48 bytes each, ascending ids:
 *
 * segment
 * 0       8     id             a covered segment
 * 8       8     length         its committed (sealed) length
 * 16      8     minSequence    its committed sequence range
 * 24      8     maxSequence
 * 32      8     liveBytes      its record bytes the keydir points at
 * 40      8     deadBytes      its other record bytes
 *
 * entries at 56 + 48s, 12 bytes each, in the keydir's slot order:
 * 0       8     location       the keydir location word (tombstone bit, segment id, offset / 8)
 * 8       4     hashWord       the low 32 bits of the key's seeded hash
 *
 * footer (the last 8 bytes, at 56 + 48s + 12n)
 * 0       4     crc            CRC32C of every byte of the file before it
 * 4       4     reserved       zero (not covered by the CRC)
 * </pre>
 *
 * The entries are the keydir of exactly the covered segments: for each key with a record in
 * them, the location of its record with the highest sequence (a tombstone included). So the
 * checkpoint stays right for as long as the covered segments are live and unchanged, whatever
 * else happens: sealed segments never change, and a segment created after the checkpoint holds
 * only sequences above {@code lastSequence}, so loading it on top (newer sequence wins) gives
 * the keydir of the whole store. A compaction that removes a covered segment ends that: {@link
 * #checkCurrent} then refuses the checkpoint, as it refuses a damaged one (CRC), one of another
 * store (seed), or one whose segments the manifest does not name as they were ({@link
 * #checkIntact}, {@link #checkCurrent}); recovery then reads the hints, and deletes the file.
 */
final class KeydirCheckpoint {
    static final long MAGIC = Layout.magic("MCSKKDIR");
    static final int VERSION = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 8;
    static final int HASH_SEED_OFFSET = VERSION_OFFSET + 8;
    static final int NEXT_SEGMENT_ID_OFFSET = HASH_SEED_OFFSET + 8;
    static final int LAST_SEQUENCE_OFFSET = NEXT_SEGMENT_ID_OFFSET + 8;
    static final int SEGMENT_COUNT_OFFSET = LAST_SEQUENCE_OFFSET + 8;
    static final int ENTRY_COUNT_OFFSET = SEGMENT_COUNT_OFFSET + 8;
    static final int HEADER_SIZE = ENTRY_COUNT_OFFSET + 8;

    static final int SEGMENT_ID = 0;
    static final int SEGMENT_LENGTH = SEGMENT_ID + 8;
    static final int SEGMENT_MIN_SEQUENCE = SEGMENT_LENGTH + 8;
    static final int SEGMENT_MAX_SEQUENCE = SEGMENT_MIN_SEQUENCE + 8;
    static final int SEGMENT_LIVE_BYTES = SEGMENT_MAX_SEQUENCE + 8;
    static final int SEGMENT_DEAD_BYTES = SEGMENT_LIVE_BYTES + 8;
    static final int SEGMENT_SIZE = SEGMENT_DEAD_BYTES + 8;

    static final int ENTRY_LOCATION = 0;
    static final int ENTRY_HASH_WORD = ENTRY_LOCATION + 8;
    static final int ENTRY_SIZE = ENTRY_HASH_WORD + 4;

    static final int FOOTER_CRC = 0;
    static final int FOOTER_SIZE = FOOTER_CRC + 8;

    /** Bytes handed to the file system per write while the entries stream out. */
    private static final int CHUNK_BYTES = 1 << 20;

    private KeydirCheckpoint() {
    }

    static long fileSize(long segmentCount, long entryCount) {
        return HEADER_SIZE + segmentCount * SEGMENT_SIZE + entryCount * ENTRY_SIZE + FOOTER_SIZE;
    }

    static long segmentCount(MemorySegment s) {
        return Layout.getLong(s, SEGMENT_COUNT_OFFSET);
    }

    static long entryCount(MemorySegment s) {
        return Layout.getLong(s, ENTRY_COUNT_OFFSET);
    }

    /** @return the offset of covered segment {@code i}'s entry in the segment table */
    static long segmentAt(long i) {
        return HEADER_SIZE + i * SEGMENT_SIZE;
    }

    static long entriesOffset(MemorySegment s) {
        return segmentAt(segmentCount(s));
    }

    /**
     * Writes the checkpoint of {@code keydir}, which must be the keydir of exactly {@code
     * segments} (all sealed), durably: to {@code KEYDIR.tmp}, fsynced, renamed over {@code KEYDIR},
     * and the directory fsynced. Under the store's write lock, so nothing changes meanwhile.
     *
     * @param usage segment id → {live bytes, dead bytes}
     */
    static void write(Fs fs, Path dir, long hashSeed, long nextSegmentId, long lastSequence,
            List<SegmentMeta> segments, Map<Long, long[]> usage, Keydir keydir) throws IOException {
        for (SegmentMeta m : segments) {
            if (!m.sealed()) {
                throw new IllegalStateException("a keydir checkpoint covers sealed segments only, not active " + m);
            }
        }
        long entries = keydir.size() + keydir.tombstones();
        Path temp = dir.resolve(FileNames.KEYDIR_TEMP);
        try (FileHandle h = fs.open(temp, true)) {
            if (h.size() > 0) {
                h.truncate(0); // left by a failed close
            }
            Out out = new Out(h, (int) Math.min(CHUNK_BYTES, fileSize(segments.size(), entries)));
            out.putLong(MAGIC);
            out.putInt(VERSION);
            out.putInt(0);
            out.putLong(hashSeed);
            out.putLong(nextSegmentId);
            out.putLong(lastSequence);
            out.putLong(segments.size());
            out.putLong(entries);
            for (SegmentMeta m : segments) {
                long[] bytes = usage.getOrDefault(m.id(), new long[2]);
                out.putLong(m.id());
                out.putLong(m.length());
                out.putLong(m.minSequence());
                out.putLong(m.maxSequence());
                out.putLong(bytes[0]);
                out.putLong(bytes[1]);
            }
            long[] written = new long[1];
            try {
                keydir.forEachEntry((word, location) -> {
                    out.putLong(location);
                    out.putInt((int) word);
                    written[0]++;
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (written[0] != entries) {
                throw new IllegalStateException("the keydir counts " + entries + " entries but holds " + written[0]);
            }
            out.finish();
            h.sync();
        }
        fs.rename(temp, dir.resolve(FileNames.KEYDIR));
        fs.syncDirectory(dir);
    }

    /** The bytes of the file as they stream out, in chunks, with their running CRC. */
    private static final class Out {
        private final FileHandle file;
        private final byte[] chunk;
        private final MemorySegment view;
        private final CRC32C crc = new CRC32C();
        private int used;
        private long position;

        Out(FileHandle file, int chunkBytes) {
            this.file = file;
            this.chunk = new byte[chunkBytes];
            this.view = MemorySegment.ofArray(chunk);
        }

        void putLong(long v) {
            room(8);
            Layout.putLong(view, used, v);
            used += 8;
        }

        void putInt(int v) {
            room(4);
            Layout.putInt(view, used, v);
            used += 4;
        }

        /** Appends the footer, the CRC of every byte before it, and writes what is buffered. */
        void finish() throws IOException {
            crc.update(chunk, 0, used);
            if (used + FOOTER_SIZE > chunk.length) {
                write();
            }
            Layout.putInt(view, used, (int) crc.getValue());
            Layout.putInt(view, used + 4, 0);
            used += FOOTER_SIZE;
            write();
        }

        private void room(int bytes) {
            if (used + bytes > chunk.length) {
                try {
                    flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // out of the keydir's iteration; unwrapped below it
                }
            }
        }

        private void flush() throws IOException {
            crc.update(chunk, 0, used);
            write();
        }

        private void write() throws IOException {
            file.write(ByteBuffer.wrap(chunk, 0, used), position);
            position += used;
            used = 0;
        }
    }

    /**
     * Whether the checkpoint in {@code s} is intact (size, magic, version, CRC) and of this store
     * (seed).
     *
     * @return null when it is, else what is wrong
     */
    static String checkIntact(MemorySegment s, long hashSeed) {
        long size = s.byteSize();
        if (size < HEADER_SIZE + FOOTER_SIZE) {
            return "checkpoint of " + size + " bytes has no complete header";
        }
        if (Layout.getLong(s, MAGIC_OFFSET) != MAGIC) {
            return "checkpoint magic is '" + Layout.magicText(s, 0) + "'";
        }
        if (Layout.getInt(s, VERSION_OFFSET) != VERSION) {
            return "checkpoint version " + Layout.getInt(s, VERSION_OFFSET) + " is not supported (supported: "
                    + VERSION + ")";
        }
        long segments = segmentCount(s);
        long entries = entryCount(s);
        if (segments < 0 || entries < 0 || segments > size / SEGMENT_SIZE || entries > size / ENTRY_SIZE
                || fileSize(segments, entries) != size) {
            return "checkpoint of " + size + " bytes does not hold the " + segments + " segments and " + entries
                    + " entries its header counts";
        }
        long footer = size - FOOTER_SIZE;
        if (Layout.getInt(s, footer + FOOTER_CRC) != Crc.of(s, 0, footer + FOOTER_CRC)) {
            return "checkpoint CRC mismatch";
        }
        if (Layout.getLong(s, HASH_SEED_OFFSET) != hashSeed) {
            return "checkpoint was written with another store's hash seed";
        }
        return null;
    }

    /**
     * Whether an intact checkpoint describes the live set of a store whose manifest replays to
     * {@code live}: each covered segment live, sealed, with the committed length and sequences it
     * had, and every other live segment created after the checkpoint (its id at least the
     * checkpoint's {@code nextSegmentId}, its sequences above the checkpoint's {@code
     * lastSequence}).
     *
     * @return null when it does and may be loaded, else why it is stale
     */
    static String checkCurrent(MemorySegment s, LiveSet live) {
        if (ProtocolMutant.is(ProtocolMutant.TRUST_STALE_CHECKPOINT)) {
            return null;
        }
        long segments = segmentCount(s);
        long nextId = Layout.getLong(s, NEXT_SEGMENT_ID_OFFSET);
        long lastSequence = Layout.getLong(s, LAST_SEQUENCE_OFFSET);
        long[] covered = new long[(int) segments];
        for (int i = 0; i < segments; i++) {
            long at = segmentAt(i);
            SegmentMeta was = new SegmentMeta(Layout.getLong(s, at + SEGMENT_ID), true,
                    Layout.getLong(s, at + SEGMENT_LENGTH), Layout.getLong(s, at + SEGMENT_MIN_SEQUENCE),
                    Layout.getLong(s, at + SEGMENT_MAX_SEQUENCE));
            if (i > 0 && was.id() <= covered[i - 1]) {
                return "checkpoint segment ids are not ascending at segment " + was.id();
            }
            if (!was.equals(live.get(was.id()))) {
                return "checkpoint covers segment " + was.id() + " as " + was + ", the manifest has "
                        + live.get(was.id());
            }
            covered[i] = was.id();
        }
        for (SegmentMeta m : live.segments()) {
            if (Arrays.binarySearch(covered, m.id()) < 0
                    && (m.id() < nextId || (m.sealed() && m.minSequence() > 0 && m.minSequence() <= lastSequence))) {
                return "segment " + m.id() + " is live but not covered by the checkpoint, which covers the"
                        + " store up to segment id " + nextId + " and sequence " + lastSequence;
            }
        }
        return null;
    }

    /** @return the ids of the segments the checkpoint in {@code s} covers, ascending */
    static long[] coveredIds(MemorySegment s) {
        long[] ids = new long[(int) segmentCount(s)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Layout.getLong(s, segmentAt(i) + SEGMENT_ID);
        }
        return ids;
    }

    /**
     * Inserts the entries of an intact and current checkpoint into {@code keydir}, which
     * must be new and empty, checking that each points into a covered segment, inside its length;
     * then sets the covered segments' live and dead bytes in {@code usage}.
     *
     * @return null when every entry was loaded, else why the checkpoint was not (the keydir then
     *     holds some entries and must be discarded; {@code usage} is untouched)
     */
    static String load(MemorySegment s, Keydir keydir, SegmentUsage usage) {
        long[] ids = coveredIds(s);
        // Segment ids of entries come in hash order, so a hash lookup: a binary search mispredicts.
        Long2LongHashMap lengths = new Long2LongHashMap(ids.length * 2 + 8, Hashing.DEFAULT_LOAD_FACTOR, 0);
        for (int i = 0; i < ids.length; i++) {
            lengths.put(ids[i], Layout.getLong(s, segmentAt(i) + SEGMENT_LENGTH));
        }
        long end = s.byteSize() - FOOTER_SIZE;
        for (long at = entriesOffset(s); at < end; at += ENTRY_SIZE) {
            long location = Layout.getLong(s, at + ENTRY_LOCATION);
            long offset = Keydir.offset(location);
            if (offset < SegmentHeader.DATA_START || offset >= lengths.get(Keydir.segmentId(location))) {
                return "checkpoint entry at " + at + " points outside the segments it covers";
            }
            keydir.putAbsent(Layout.getInt(s, at + ENTRY_HASH_WORD), location);
        }
        for (int i = 0; i < ids.length; i++) {
            long at = segmentAt(i);
            usage.restore(ids[i], Layout.getLong(s, at + SEGMENT_LIVE_BYTES), Layout.getLong(s, at + SEGMENT_DEAD_BYTES));
        }
        return null;
    }
}
