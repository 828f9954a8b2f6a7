package io.mapcask;

import java.lang.foreign.MemorySegment;

/**
 * A hint file ({@code <id>.hint}): the location, sequence and key hash of every record of one
 * sealed segment, so that opening the store fills the keydir without reading the segment.
 * Little-endian. Keys are not copied: the keydir needs only the key's hash word, and reads key
 * bytes from the segment only when two hash words meet in a probe (an overwritten key, or a
 * rare collision). So a hint costs 24 bytes per record whatever the key length.
 *
 * <pre>
 * header
 * offset  size  field          meaning
 * 0       8     magic          "MCSKHINT"
 * 8       4     version        1
 * 12      4     reserved       zero
 * 16      8     segmentId      the segment it describes
 * 24      8     segmentLength  the sealed length of that segment when the hint was written
 * 32      8     hashSeed       the store's key-hash seed the hash words were computed with
 * 40            entries, 24 bytes each, in record order:
 *
 * entry
 * 0       8     sequence       the record's sequence
 * 8       4     offset         the record's offset in the segment (segments are at most 1 GiB)
 * 12      4     valueLength    the record's value length
 * 16      2     flags          the record's flags (bit 0: tombstone)
 * 18      2     keyLength      1..65535
 * 20      4     hashWord       low 32 bits of the key's seeded 64-bit hash (the keydir's slot word)
 *
 * footer (the last 16 bytes)
 * 0       8     entryCount     number of entries
 * 8       4     crc            CRC32C of every byte of the file before it
 * 12      4     reserved       zero
 * </pre>
 *
 * A hint is used only when its CRC matches, its segment id, length and hash seed equal what the
 * store committed, and its entries tile the segment exactly (each record starts where the
 * previous one ended, the last ends at the segment's length); any mismatch (a hint left from
 * another life, torn, truncated, or pointing past its segment) makes recovery scan the segment.
 */
final class HintFormat {
    static final long MAGIC = Layout.magic("MCSKHINT");
    static final int VERSION = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 8;
    static final int SEGMENT_ID_OFFSET = VERSION_OFFSET + 8;
    static final int SEGMENT_LENGTH_OFFSET = SEGMENT_ID_OFFSET + 8;
    static final int HASH_SEED_OFFSET = SEGMENT_LENGTH_OFFSET + 8;
    static final int HEADER_SIZE = HASH_SEED_OFFSET + 8;

    static final int ENTRY_SEQUENCE = 0;
    static final int ENTRY_OFFSET = ENTRY_SEQUENCE + 8;
    static final int ENTRY_VALUE_LENGTH = ENTRY_OFFSET + 4;
    static final int ENTRY_FLAGS = ENTRY_VALUE_LENGTH + 4;
    static final int ENTRY_KEY_LENGTH = ENTRY_FLAGS + 2;
    static final int ENTRY_HASH_WORD = ENTRY_KEY_LENGTH + 2;
    static final int ENTRY_SIZE = ENTRY_HASH_WORD + 4;

    static final int FOOTER_ENTRY_COUNT = 0;
    static final int FOOTER_CRC = FOOTER_ENTRY_COUNT + 8;
    static final int FOOTER_SIZE = FOOTER_CRC + 8;

    private HintFormat() {
    }

    static void writeHeader(MemorySegment s, long segmentId, long segmentLength, long hashSeed) {
        Layout.putLong(s, MAGIC_OFFSET, MAGIC);
        Layout.putInt(s, VERSION_OFFSET, VERSION);
        Layout.putInt(s, VERSION_OFFSET + 4, 0);
        Layout.putLong(s, SEGMENT_ID_OFFSET, segmentId);
        Layout.putLong(s, SEGMENT_LENGTH_OFFSET, segmentLength);
        Layout.putLong(s, HASH_SEED_OFFSET, hashSeed);
    }

    /** Writes the entry of the record at {@code recordOffset} of {@code data} at {@code at}. */
    static void writeEntry(MemorySegment s, long at, MemorySegment data, long recordOffset, long hashSeed) {
        int keyLength = RecordFormat.keyLength(data, recordOffset);
        Layout.putLong(s, at + ENTRY_SEQUENCE, RecordFormat.sequence(data, recordOffset));
        Layout.putInt(s, at + ENTRY_OFFSET, (int) recordOffset);
        Layout.putInt(s, at + ENTRY_VALUE_LENGTH, RecordFormat.valueLength(data, recordOffset));
        Layout.putShort(s, at + ENTRY_FLAGS, RecordFormat.flags(data, recordOffset));
        Layout.putShort(s, at + ENTRY_KEY_LENGTH, keyLength);
        Layout.putInt(s, at + ENTRY_HASH_WORD,
                (int) KeyHash.hash(data, RecordFormat.keyOffset(recordOffset), keyLength, hashSeed));
    }

    /** Writes the footer at {@code at}; {@code at + FOOTER_SIZE} is the file's size. */
    static void writeFooter(MemorySegment s, long at, long entryCount) {
        Layout.putLong(s, at + FOOTER_ENTRY_COUNT, entryCount);
        Layout.putInt(s, at + FOOTER_CRC, Crc.of(s, 0, at + FOOTER_CRC));
        Layout.putInt(s, at + FOOTER_CRC + 4, 0);
    }

    static long fileSize(long entryCount) {
        return HEADER_SIZE + entryCount * ENTRY_SIZE + FOOTER_SIZE;
    }

    static long entryOffset(MemorySegment s, long at) {
        return Integer.toUnsignedLong(Layout.getInt(s, at + ENTRY_OFFSET));
    }

    /**
     * Checks the whole hint against the segment it should describe.
     *
     * @return null when the hint can be trusted, else why not
     */
    static String validate(MemorySegment s, long segmentId, long segmentLength, long hashSeed) {
        long size = s.byteSize();
        if (size < HEADER_SIZE + FOOTER_SIZE || (size - HEADER_SIZE - FOOTER_SIZE) % ENTRY_SIZE != 0) {
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
        if (Layout.getLong(s, HASH_SEED_OFFSET) != hashSeed) {
            return "hint was written with another store's hash seed";
        }
        long count = 0;
        long nextRecord = SegmentHeader.DATA_START;
        for (long at = HEADER_SIZE; at < footer; at += ENTRY_SIZE) {
            int keyLength = Layout.getUnsignedShort(s, at + ENTRY_KEY_LENGTH);
            int valueLength = Layout.getInt(s, at + ENTRY_VALUE_LENGTH);
            int flags = Layout.getUnsignedShort(s, at + ENTRY_FLAGS);
            long offset = entryOffset(s, at);
            if (keyLength == 0 || valueLength < 0 || (flags & ~RecordFormat.KNOWN_FLAGS) != 0
                    || Layout.getLong(s, at + ENTRY_SEQUENCE) <= 0) {
                return "hint entry at " + at + " is malformed";
            }
            // Entries are in record order and records tile the segment: each must start where the last ended.
            if (offset != nextRecord || offset + RecordFormat.size(keyLength, valueLength) > segmentLength) {
                return "hint entry at " + at + " points at offset " + offset + ", outside the records of its segment";
            }
            nextRecord = offset + RecordFormat.size(keyLength, valueLength);
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
