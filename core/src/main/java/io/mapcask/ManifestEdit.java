package io.mapcask;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One change of the set of live files: the payload of a manifest record. Applying an edit
 * removes the {@code removed} ids, then puts every {@code added} entry (an id already live is
 * replaced, which is how an active segment becomes sealed). Little-endian.
 *
 * <pre>
 * offset  size    field          meaning
 * 0       8       nextSegmentId  every id below it has been handed out; ids are never reused
 * 8       8       lastSequence   a floor for the next write sequence
 * 16      4       removedCount   r
 * 20      4       addedCount     a
 * 24      8*r     removed ids
 * 24+8r   40*a    added entries:
 *                   0  8  id
 *                   8  4  state (1 active, 2 sealed)
 *                   12 4  reserved, zero
 *                   16 8  length (sealed: end of the last record; active: 0)
 *                   24 8  minSequence
 *                   32 8  maxSequence
 * </pre>
 */
record ManifestEdit(long nextSegmentId, long lastSequence, List<Long> removed, List<SegmentMeta> added) {

    static final int NEXT_ID_OFFSET = 0;
    static final int LAST_SEQUENCE_OFFSET = NEXT_ID_OFFSET + 8;
    static final int REMOVED_COUNT_OFFSET = LAST_SEQUENCE_OFFSET + 8;
    static final int ADDED_COUNT_OFFSET = REMOVED_COUNT_OFFSET + 4;
    static final int FIXED_SIZE = ADDED_COUNT_OFFSET + 4;
    static final int REMOVED_ENTRY_SIZE = 8;
    static final int ADDED_ID = 0;
    static final int ADDED_STATE = ADDED_ID + 8;
    static final int ADDED_LENGTH = ADDED_STATE + 8;
    static final int ADDED_MIN_SEQUENCE = ADDED_LENGTH + 8;
    static final int ADDED_MAX_SEQUENCE = ADDED_MIN_SEQUENCE + 8;
    static final int ADDED_ENTRY_SIZE = ADDED_MAX_SEQUENCE + 8;
    static final int STATE_ACTIVE = 1;
    static final int STATE_SEALED = 2;

    ManifestEdit {
        removed = List.copyOf(removed);
        added = List.copyOf(added);
    }

    int encodedSize() {
        return FIXED_SIZE + removed.size() * REMOVED_ENTRY_SIZE + added.size() * ADDED_ENTRY_SIZE;
    }

    void encode(MemorySegment s, long at) {
        Layout.putLong(s, at + NEXT_ID_OFFSET, nextSegmentId);
        Layout.putLong(s, at + LAST_SEQUENCE_OFFSET, lastSequence);
        Layout.putInt(s, at + REMOVED_COUNT_OFFSET, removed.size());
        Layout.putInt(s, at + ADDED_COUNT_OFFSET, added.size());
        long p = at + FIXED_SIZE;
        for (long id : removed) {
            Layout.putLong(s, p, id);
            p += REMOVED_ENTRY_SIZE;
        }
        for (SegmentMeta m : added) {
            Layout.putLong(s, p + ADDED_ID, m.id());
            Layout.putInt(s, p + ADDED_STATE, m.sealed() ? STATE_SEALED : STATE_ACTIVE);
            Layout.putInt(s, p + ADDED_STATE + 4, 0);
            Layout.putLong(s, p + ADDED_LENGTH, m.length());
            Layout.putLong(s, p + ADDED_MIN_SEQUENCE, m.minSequence());
            Layout.putLong(s, p + ADDED_MAX_SEQUENCE, m.maxSequence());
            p += ADDED_ENTRY_SIZE;
        }
    }

    /**
     * Decodes and validates a payload whose CRC already matched. A CRC-valid payload that makes
     * no sense (written by a bug or by hand) is corruption, reported with the file and offset.
     */
    static ManifestEdit decode(MemorySegment s, long at, int length, Path file) {
        if (length < FIXED_SIZE) {
            throw new MapcaskCorruptionException(file, at, "manifest edit of " + length + " bytes is too short");
        }
        long nextId = Layout.getLong(s, at + NEXT_ID_OFFSET);
        long lastSequence = Layout.getLong(s, at + LAST_SEQUENCE_OFFSET);
        long removedCount = Integer.toUnsignedLong(Layout.getInt(s, at + REMOVED_COUNT_OFFSET));
        long addedCount = Integer.toUnsignedLong(Layout.getInt(s, at + ADDED_COUNT_OFFSET));
        if (FIXED_SIZE + removedCount * REMOVED_ENTRY_SIZE + addedCount * ADDED_ENTRY_SIZE != length) {
            throw new MapcaskCorruptionException(file, at, "manifest edit counts (" + removedCount + " removed, "
                    + addedCount + " added) do not match its length " + length);
        }
        if (nextId <= 0 || lastSequence < 0) {
            throw new MapcaskCorruptionException(file, at, "manifest edit has nextSegmentId " + nextId
                    + " and lastSequence " + lastSequence);
        }
        List<Long> removed = new ArrayList<>((int) removedCount);
        long p = at + FIXED_SIZE;
        for (long i = 0; i < removedCount; i++, p += REMOVED_ENTRY_SIZE) {
            removed.add(Layout.getLong(s, p));
        }
        List<SegmentMeta> added = new ArrayList<>((int) addedCount);
        for (long i = 0; i < addedCount; i++, p += ADDED_ENTRY_SIZE) {
            long id = Layout.getLong(s, p + ADDED_ID);
            int state = Layout.getInt(s, p + ADDED_STATE);
            long len = Layout.getLong(s, p + ADDED_LENGTH);
            long minSeq = Layout.getLong(s, p + ADDED_MIN_SEQUENCE);
            long maxSeq = Layout.getLong(s, p + ADDED_MAX_SEQUENCE);
            boolean sealed = state == STATE_SEALED;
            boolean valid = id > 0 && id < nextId && (sealed || state == STATE_ACTIVE)
                    && (sealed ? len >= SegmentHeader.DATA_START && len % 8 == 0
                                    && len <= MapcaskConfig.SEGMENT_SIZE_MAX_BYTES
                            : len == 0)
                    && minSeq >= 0 && maxSeq >= minSeq;
            if (!valid) {
                throw new MapcaskCorruptionException(file, p, "manifest edit names an impossible segment (id " + id
                        + ", state " + state + ", length " + len + ", sequences " + minSeq + ".." + maxSeq
                        + ", nextSegmentId " + nextId + ")");
            }
            added.add(new SegmentMeta(id, sealed, len, minSeq, maxSeq));
        }
        return new ManifestEdit(nextId, lastSequence, removed, added);
    }
}
