package io.mapcask;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The first 4096 bytes of a data segment ({@code <id>.data}). Little-endian. Records start at
 * {@link #DATA_START}, on a page of their own, so that a torn write of the header page cannot
 * damage a record and the durable mark can be forced without forcing data.
 *
 * <pre>
 * offset  size  field         meaning
 * 0       8     magic         "MCSKDATA"
 * 8       4     version       1
 * 12      4     reserved      zero
 * 16      8     segmentId     the id in the file name
 * 24      4     crc           CRC32C of bytes [0, 24)
 * 28      4     reserved      zero
 * 32      24    mark slot 0   durable mark (see below)
 * 56      8     reserved      zero
 * 64      24    mark slot 1   durable mark
 * 88      4008  reserved      zero
 * 4096          records
 *
 * mark slot:
 * 0       8     counter       incremented with each mark written; the valid slot with the higher counter wins
 * 8       8     durableEnd    every record below this offset was forced to disk
 * 16      4     crc           CRC32C of the 16 bytes above
 * 20      4     reserved      zero
 * </pre>
 *
 * Marks alternate between the two slots (LMDB's meta pages), so a torn write of one slot leaves
 * the other intact; each slot is forced only after the data it vouches for. At recovery a bad
 * record below the mark is corruption, a bad record above it is the torn tail of a crash.
 */
final class SegmentHeader {
    static final long MAGIC = Layout.magic("MCSKDATA");
    static final int VERSION = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 8;
    static final int SEGMENT_ID_OFFSET = VERSION_OFFSET + 8;
    static final int CRC_OFFSET = SEGMENT_ID_OFFSET + 8;
    static final int MARK_SLOT_0 = CRC_OFFSET + 8;
    static final int MARK_SLOT_SIZE = 24;
    static final int MARK_SLOT_1 = MARK_SLOT_0 + 32;
    static final int MARK_COUNTER = 0;
    static final int MARK_END = MARK_COUNTER + 8;
    static final int MARK_CRC = MARK_END + 8;
    static final long DATA_START = 4096;

    private SegmentHeader() {
    }

    static void write(MemorySegment s, long segmentId) {
        Layout.putLong(s, MAGIC_OFFSET, MAGIC);
        Layout.putInt(s, VERSION_OFFSET, VERSION);
        Layout.putLong(s, SEGMENT_ID_OFFSET, segmentId);
        Layout.putInt(s, CRC_OFFSET, Crc.of(s, 0, CRC_OFFSET));
    }

    /** Checks magic, version, CRC and id; throws a corruption error naming the file otherwise. */
    static void verify(MemorySegment s, long expectedId, Path file) {
        if (s.byteSize() < DATA_START) {
            throw new MapcaskCorruptionException(file, 0, "data segment shorter than its " + DATA_START + "-byte header");
        }
        Layout.requireMagicAndVersion(s, MAGIC, VERSION, file, "data segment");
        if (Layout.getInt(s, CRC_OFFSET) != Crc.of(s, 0, CRC_OFFSET)) {
            throw new MapcaskCorruptionException(file, CRC_OFFSET, "data segment header CRC mismatch");
        }
        long id = Layout.getLong(s, SEGMENT_ID_OFFSET);
        if (id != expectedId) {
            throw new MapcaskCorruptionException(file, SEGMENT_ID_OFFSET,
                    "data segment header names id " + id + " but the manifest expects " + expectedId);
        }
    }

    /** Writes the next mark into the slot not holding the current one; the caller forces the header page. */
    static void writeMark(MemorySegment s, long counter, long durableEnd) {
        long slot = (counter & 1) == 0 ? MARK_SLOT_0 : MARK_SLOT_1;
        Layout.putLong(s, slot + MARK_COUNTER, counter);
        Layout.putLong(s, slot + MARK_END, durableEnd);
        Layout.putInt(s, slot + MARK_CRC, Crc.of(s, slot, MARK_CRC));
    }

    /** @return the counter of the newest valid mark, or 0 when neither slot is valid */
    static long markCounter(MemorySegment s) {
        long slot = newestSlot(s);
        return slot < 0 ? 0 : Layout.getLong(s, slot + MARK_COUNTER);
    }

    /** @return the durable end of the newest valid mark, or {@link #DATA_START} when none is valid */
    static long durableEnd(MemorySegment s) {
        long slot = newestSlot(s);
        return slot < 0 ? DATA_START : Layout.getLong(s, slot + MARK_END);
    }

    private static long newestSlot(MemorySegment s) {
        long best = -1;
        long bestCounter = 0;
        for (long slot = MARK_SLOT_0; slot <= MARK_SLOT_1; slot += MARK_SLOT_1 - MARK_SLOT_0) {
            long counter = Layout.getLong(s, slot + MARK_COUNTER);
            if (validSlot(s, slot) && counter > bestCounter) {
                bestCounter = counter;
                best = slot;
            }
        }
        return best;
    }

    private static boolean validSlot(MemorySegment s, long slot) {
        long counter = Layout.getLong(s, slot + MARK_COUNTER);
        return counter > 0 && Layout.getInt(s, slot + MARK_CRC) == Crc.of(s, slot, MARK_CRC);
    }
}
