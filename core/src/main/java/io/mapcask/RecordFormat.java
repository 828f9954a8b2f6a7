package io.mapcask;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * One record in a data segment. Little-endian; every record starts at a multiple of 8.
 *
 * <pre>
 * offset  size  field        meaning
 * 0       4     crc          CRC32C of bytes [4, 24 + keyLength + valueLength)
 * 4       2     flags        bit 0: tombstone (the key is deleted); bit 1: member of an atomic
 *                            batch; bit 2: last member of its batch; other bits must be zero
 * 6       2     keyLength    unsigned, 1..65535
 * 8       8     sequence     global write sequence, > 0, unique and increasing per store
 * 16      4     valueLength  0..2^31-9; 0 for a tombstone
 * 20      4     reserved     zero
 * 24      k     key
 * 24+k    v     value
 *         pad   zeros up to the next multiple of 8 (not covered by the CRC)
 * </pre>
 *
 * The written part of a segment ends at the first record whose 24 header bytes are all zero
 * (segments are preallocated with zeros) or that fails {@link #check}.
 */
final class RecordFormat {
    static final int CRC_OFFSET = 0;
    static final int FLAGS_OFFSET = CRC_OFFSET + 4;
    static final int KEY_LENGTH_OFFSET = FLAGS_OFFSET + 2;
    static final int SEQUENCE_OFFSET = KEY_LENGTH_OFFSET + 2;
    static final int VALUE_LENGTH_OFFSET = SEQUENCE_OFFSET + 8;
    static final int RESERVED_OFFSET = VALUE_LENGTH_OFFSET + 4;
    static final int HEADER_SIZE = RESERVED_OFFSET + 4;
    /** Bytes of the header covered by the CRC (all but the CRC itself). */
    static final int CRC_COVERED_HEADER = HEADER_SIZE - FLAGS_OFFSET;

    static final int FLAG_TOMBSTONE = 1;
    /** The record belongs to an atomic batch; the batch is complete at the record with {@link #FLAG_BATCH_END}. */
    static final int FLAG_BATCH = 2;
    static final int FLAG_BATCH_END = 4;
    static final int KNOWN_FLAGS = FLAG_TOMBSTONE | FLAG_BATCH | FLAG_BATCH_END;
    static final int MAX_KEY_LENGTH = 0xFFFF;

    /** {@link #check} result: all-zero header, the end of the written part. */
    static final long END = 0;
    /** {@link #check} result: a header or CRC that no complete record has. */
    static final long BAD = -1;

    private RecordFormat() {
    }

    static long size(int keyLength, int valueLength) {
        return Layout.align8((long) HEADER_SIZE + keyLength + valueLength);
    }

    /**
     * Writes a complete record at {@code off}. The caller guarantees room for {@link #size}
     * bytes, and that the padding bytes are already zero.
     *
     * @param scratch at least {@link #CRC_COVERED_HEADER} bytes, owned by the calling thread
     */
    static void write(MemorySegment seg, long off, long sequence, int flags, byte[] key, byte[] value,
            byte[] scratch, CRC32C crc) {
        write(seg, off, sequence, flags, key, 0, key.length, value, 0, value == null ? 0 : value.length, scratch, crc);
    }

    /** As above, with the key and the value given as ranges of arrays (a batch keeps both in one). */
    static void write(MemorySegment seg, long off, long sequence, int flags, byte[] key, int keyOffset, int keyLength,
            byte[] value, int valueOffset, int valueLength, byte[] scratch, CRC32C crc) {
        MemorySegment hdr = MemorySegment.ofArray(scratch);
        Layout.putShort(hdr, FLAGS_OFFSET - FLAGS_OFFSET, flags);
        Layout.putShort(hdr, KEY_LENGTH_OFFSET - FLAGS_OFFSET, keyLength);
        Layout.putLong(hdr, SEQUENCE_OFFSET - FLAGS_OFFSET, sequence);
        Layout.putInt(hdr, VALUE_LENGTH_OFFSET - FLAGS_OFFSET, valueLength);
        Layout.putInt(hdr, RESERVED_OFFSET - FLAGS_OFFSET, 0);
        crc.reset();
        crc.update(scratch, 0, CRC_COVERED_HEADER);
        crc.update(key, keyOffset, keyLength);
        MemorySegment.copy(scratch, 0, seg, ValueLayout.JAVA_BYTE, off + FLAGS_OFFSET, CRC_COVERED_HEADER);
        MemorySegment.copy(key, keyOffset, seg, ValueLayout.JAVA_BYTE, off + HEADER_SIZE, keyLength);
        if (valueLength > 0) {
            crc.update(value, valueOffset, valueLength);
            MemorySegment.copy(value, valueOffset, seg, ValueLayout.JAVA_BYTE, off + HEADER_SIZE + keyLength, valueLength);
        }
        Layout.putInt(seg, off + CRC_OFFSET, (int) crc.getValue());
    }

    static int crc(MemorySegment s, long off) {
        return Layout.getInt(s, off + CRC_OFFSET);
    }

    static int flags(MemorySegment s, long off) {
        return Layout.getUnsignedShort(s, off + FLAGS_OFFSET);
    }

    static boolean isTombstone(MemorySegment s, long off) {
        return (flags(s, off) & FLAG_TOMBSTONE) != 0;
    }

    static int keyLength(MemorySegment s, long off) {
        return Layout.getUnsignedShort(s, off + KEY_LENGTH_OFFSET);
    }

    static long sequence(MemorySegment s, long off) {
        return Layout.getLong(s, off + SEQUENCE_OFFSET);
    }

    static int valueLength(MemorySegment s, long off) {
        return Layout.getInt(s, off + VALUE_LENGTH_OFFSET);
    }

    static long keyOffset(long off) {
        return off + HEADER_SIZE;
    }

    static long valueOffset(MemorySegment s, long off) {
        return off + HEADER_SIZE + keyLength(s, off);
    }

    /**
     * Validates the record at {@code off}, reading nothing at or past {@code limit}.
     *
     * @return the record's size when it is complete and its CRC matches, {@link #END} when its
     *     header is all zero, else {@link #BAD}
     */
    static long check(MemorySegment s, long off, long limit) {
        if (off + HEADER_SIZE > limit) {
            return Layout.allZero(s, off, limit) ? END : BAD;
        }
        long w0 = Layout.getLong(s, off);
        long w1 = Layout.getLong(s, off + 8);
        long w2 = Layout.getLong(s, off + 16);
        if ((w0 | w1 | w2) == 0) {
            return END;
        }
        int flags = flags(s, off);
        int keyLength = keyLength(s, off);
        int valueLength = valueLength(s, off);
        if ((flags & ~KNOWN_FLAGS) != 0 || keyLength == 0 || valueLength < 0
                || Layout.getInt(s, off + RESERVED_OFFSET) != 0 || sequence(s, off) <= 0
                || ((flags & FLAG_TOMBSTONE) != 0 && valueLength != 0)
                || ((flags & FLAG_BATCH_END) != 0 && (flags & FLAG_BATCH) == 0)) {
            return BAD;
        }
        long size = size(keyLength, valueLength);
        if (off + size > limit) {
            return BAD;
        }
        int expected = Crc.of(s, off + FLAGS_OFFSET, CRC_COVERED_HEADER + (long) keyLength + valueLength);
        return expected == crc(s, off) ? size : BAD;
    }
}
