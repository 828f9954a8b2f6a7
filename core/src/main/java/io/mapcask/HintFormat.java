package io.mapcask;

import java.lang.foreign.MemorySegment;

/**
 * A hint file ({@code <id>.hint}): the (key, location, sequence) of every record of one sealed
 * segment, so that opening the store need not read the segment. Little-endian.
 *
 * <pre>
 * header
 * offset  size  field          meaning
 * 0       8     magic          "MCSKHINT"
 * 8       4     version        1
 * 12      4     reserved       zero
 * 16      8     segmentId      the segment it describes
 * 24      8     segmentLength  the sealed length of that segment when the hint was written
 * 32            entries, each starting at a multiple of 8:
 *
 * entry
 * 0       8     sequence       the record's sequence
 * 8       8     offset         the record's offset in the segment
 * 16      4     valueLength    the record's value length
 * 20      2     flags          the record's flags (bit 0: tombstone)
 * 22      2     keyLength      1..65535
 * 24      k     key
 *         pad   zeros to a multiple of 8
 *
 * footer (the last 16 bytes)
 * 0       8     entryCount     number of entries
 * 8       4     crc            CRC32C of every byte of the file before it
 * 12      4     reserved       zero
 * </pre>
 *
 * A hint is used only when its CRC matches and its segment id and length equal what the
 * manifest committed for the segment; any mismatch (a hint left from another life of the id,
 * torn, truncated or pointing past its segment) makes recovery scan the segment instead.
 */
final class HintFormat {
    static final long MAGIC = Layout.magic("MCSKHINT");
    static final int VERSION = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 8;
    static final int SEGMENT_ID_OFFSET = VERSION_OFFSET + 8;
    static final int SEGMENT_LENGTH_OFFSET = SEGMENT_ID_OFFSET + 8;
    static final int HEADER_SIZE = SEGMENT_LENGTH_OFFSET + 8;

    static final int ENTRY_SEQUENCE = 0;
    static final int ENTRY_OFFSET = ENTRY_SEQUENCE + 8;
    static final int ENTRY_VALUE_LENGTH = ENTRY_OFFSET + 8;
    static final int ENTRY_FLAGS = ENTRY_VALUE_LENGTH + 4;
    static final int ENTRY_KEY_LENGTH = ENTRY_FLAGS + 2;
    static final int ENTRY_HEADER_SIZE = ENTRY_KEY_LENGTH + 2;

    static final int FOOTER_ENTRY_COUNT = 0;
    static final int FOOTER_CRC = FOOTER_ENTRY_COUNT + 8;
    static final int FOOTER_SIZE = FOOTER_CRC + 8;

    private HintFormat() {
    }

    static long entrySize(int keyLength) {
        return Layout.align8((long) ENTRY_HEADER_SIZE + keyLength);
    }

    static void writeHeader(MemorySegment s, long segmentId, long segmentLength) {
        Layout.putLong(s, MAGIC_OFFSET, MAGIC);
        Layout.putInt(s, VERSION_OFFSET, VERSION);
        Layout.putInt(s, VERSION_OFFSET + 4, 0);
        Layout.putLong(s, SEGMENT_ID_OFFSET, segmentId);
        Layout.putLong(s, SEGMENT_LENGTH_OFFSET, segmentLength);
    }

    /** Writes one entry copied from the record at {@code recordOffset} of {@code data}. @return its size */
    static long writeEntry(MemorySegment s, long at, MemorySegment data, long recordOffset) {
        int keyLength = RecordFormat.keyLength(data, recordOffset);
        Layout.putLong(s, at + ENTRY_SEQUENCE, RecordFormat.sequence(data, recordOffset));
        Layout.putLong(s, at + ENTRY_OFFSET, recordOffset);
        Layout.putInt(s, at + ENTRY_VALUE_LENGTH, RecordFormat.valueLength(data, recordOffset));
        Layout.putShort(s, at + ENTRY_FLAGS, RecordFormat.flags(data, recordOffset));
        Layout.putShort(s, at + ENTRY_KEY_LENGTH, keyLength);
        MemorySegment.copy(data, RecordFormat.keyOffset(recordOffset), s, at + ENTRY_HEADER_SIZE, keyLength);
        long size = entrySize(keyLength);
        s.asSlice(at + ENTRY_HEADER_SIZE + keyLength, size - ENTRY_HEADER_SIZE - keyLength).fill((byte) 0);
        return size;
    }

    /** Writes the footer at {@code at}; {@code at + FOOTER_SIZE} is the file's size. */
    static void writeFooter(MemorySegment s, long at, long entryCount) {
        Layout.putLong(s, at + FOOTER_ENTRY_COUNT, entryCount);
        Layout.putInt(s, at + FOOTER_CRC, Crc.of(s, 0, at + FOOTER_CRC));
        Layout.putInt(s, at + FOOTER_CRC + 4, 0);
    }

    /**
     * Checks the whole hint against the segment it should describe.
     *
     * @return null when the hint can be trusted, else why not
     */
    static String validate(MemorySegment s, long segmentId, long segmentLength) {
        long size = s.byteSize();
        if (size < HEADER_SIZE + FOOTER_SIZE || size % 8 != 0) {
            return "hint has an impossible size " + size;
        }
        if (Layout.getLong(s, MAGIC_OFFSET) != MAGIC) {
            return "hint magic is '" + Layout.magicText(s, 0) + "'";
        }
        if (Layout.getInt(s, VERSION_OFFSET) != VERSION) {
            return "hint version " + Layout.getInt(s, VERSION_OFFSET) + " is not supported (supported: " + VERSION + ")";
        }
        long footer = size - FOOTER_SIZE;
        if (Layout.getInt(s, footer + FOOTER_CRC) != Crc.of(s, 0, footer + FOOTER_CRC)) {
            return "hint CRC mismatch";
        }
        if (Layout.getLong(s, SEGMENT_ID_OFFSET) != segmentId
                || Layout.getLong(s, SEGMENT_LENGTH_OFFSET) != segmentLength) {
            return "hint describes segment " + Layout.getLong(s, SEGMENT_ID_OFFSET) + " of length "
                    + Layout.getLong(s, SEGMENT_LENGTH_OFFSET) + ", the manifest has segment " + segmentId
                    + " of length " + segmentLength;
        }
        long count = 0;
        long at = HEADER_SIZE;
        long nextRecord = SegmentHeader.DATA_START;
        while (at < footer) {
            if (at + ENTRY_HEADER_SIZE > footer) {
                return "hint entry at " + at + " runs into the footer";
            }
            int keyLength = Layout.getUnsignedShort(s, at + ENTRY_KEY_LENGTH);
            int valueLength = Layout.getInt(s, at + ENTRY_VALUE_LENGTH);
            int flags = Layout.getUnsignedShort(s, at + ENTRY_FLAGS);
            long offset = Layout.getLong(s, at + ENTRY_OFFSET);
            if (keyLength == 0 || valueLength < 0 || (flags & ~RecordFormat.KNOWN_FLAGS) != 0
                    || Layout.getLong(s, at + ENTRY_SEQUENCE) <= 0 || at + entrySize(keyLength) > footer) {
                return "hint entry at " + at + " is malformed";
            }
            // Entries are in record order and records tile the segment: each must start where the last ended.
            if (offset != nextRecord || offset + RecordFormat.size(keyLength, valueLength) > segmentLength) {
                return "hint entry at " + at + " points at offset " + offset + ", outside the records of its segment";
            }
            nextRecord = offset + RecordFormat.size(keyLength, valueLength);
            at += entrySize(keyLength);
            count++;
        }
        if (nextRecord != segmentLength) {
            return "hint covers the segment up to " + nextRecord + ", not its length " + segmentLength;
        }
        if (Layout.getLong(s, footer + FOOTER_ENTRY_COUNT) != count) {
            return "hint footer counts " + Layout.getLong(s, footer + FOOTER_ENTRY_COUNT) + " entries, found " + count;
        }
        return null;
    }

    static long footerOffset(MemorySegment s) {
        return s.byteSize() - FOOTER_SIZE;
    }
}
