package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Checks the record layout documented in {@link RecordFormat} byte by byte, reading the bytes
 * with an independent little-endian {@link ByteBuffer} and computing CRCs with {@link CRC32C}
 * directly, and checks that {@link RecordFormat#check} refuses every kind of bad record.
 */
class RecordFormatTest {

    private static final byte[] KEY = "key-1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUE = "a value!!".getBytes(StandardCharsets.US_ASCII);
    private static final long SEQUENCE = 0x0102030405060708L;

    /** Writes one record at offset 0 of a fresh zeroed array of {@code capacity} bytes. */
    private static byte[] record(long sequence, int flags, byte[] key, byte[] value, int capacity) {
        byte[] bytes = new byte[capacity];
        RecordFormat.write(MemorySegment.ofArray(bytes), 0, sequence, flags, key, value,
                new byte[RecordFormat.CRC_COVERED_HEADER], new CRC32C());
        return bytes;
    }

    private static byte[] record(long sequence, int flags, byte[] key, byte[] value) {
        return record(sequence, flags, key, value,
                (int) RecordFormat.size(key.length, value == null ? 0 : value.length));
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int crc32c(byte[] bytes, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(bytes, from, to - from);
        return (int) c.getValue();
    }

    /** Recomputes the CRC of the record at 0 after a test changed its header, as a buggy or hostile writer would. */
    private static void reseal(byte[] bytes, int keyLength, int valueLength) {
        le(bytes).putInt(0, crc32c(bytes, 4, 24 + keyLength + valueLength));
    }

    private static long check(byte[] bytes) {
        return RecordFormat.check(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    @Test
    void shouldPlaceEveryHeaderFieldAtItsDocumentedOffset() {
        byte[] b = record(SEQUENCE, 0, KEY, VALUE);
        ByteBuffer le = le(b);
        assertEquals(0, RecordFormat.CRC_OFFSET);
        assertEquals(4, RecordFormat.FLAGS_OFFSET);
        assertEquals(6, RecordFormat.KEY_LENGTH_OFFSET);
        assertEquals(8, RecordFormat.SEQUENCE_OFFSET);
        assertEquals(16, RecordFormat.VALUE_LENGTH_OFFSET);
        assertEquals(20, RecordFormat.RESERVED_OFFSET);
        assertEquals(24, RecordFormat.HEADER_SIZE);

        assertEquals(crc32c(b, 4, 24 + KEY.length + VALUE.length), le.getInt(0), "crc covers [4, 24+k+v)");
        assertEquals(0, le.getShort(4), "flags");
        assertEquals(KEY.length, le.getShort(6), "keyLength");
        assertEquals(SEQUENCE, le.getLong(8), "sequence");
        // Little-endian: the least significant byte of the sequence comes first.
        assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, Arrays.copyOfRange(b, 8, 16));
        assertEquals(VALUE.length, le.getInt(16), "valueLength");
        assertEquals(0, le.getInt(20), "reserved");
        assertArrayEquals(KEY, Arrays.copyOfRange(b, 24, 24 + KEY.length), "key at 24");
        assertArrayEquals(VALUE, Arrays.copyOfRange(b, 24 + KEY.length, 24 + KEY.length + VALUE.length),
                "value at 24+k");
    }

    @Test
    void shouldPadEveryRecordWithZerosToAMultipleOfEight() {
        for (int k = 1; k <= 17; k++) {
            for (int v = 0; v <= 17; v++) {
                long size = RecordFormat.size(k, v);
                assertEquals(0, size % 8, "k=" + k + " v=" + v);
                assertTrue(size >= 24 + k + v && size < 24 + k + v + 8, "k=" + k + " v=" + v + " size=" + size);
                byte[] key = new byte[k];
                Arrays.fill(key, (byte) 0x5A);
                byte[] value = new byte[v];
                Arrays.fill(value, (byte) 0xA5);
                byte[] b = record(7, 0, key, value);
                for (int i = 24 + k + v; i < size; i++) {
                    assertEquals(0, b[i], "padding byte " + i + " for k=" + k + " v=" + v);
                }
                assertEquals(size, check(b), "k=" + k + " v=" + v);
            }
        }
    }

    @Test
    void shouldNotCoverPaddingWithTheCrc() {
        byte[] b = record(3, 0, KEY, VALUE); // 24 + 5 + 9 = 38, padded to 40
        assertEquals(40, b.length);
        b[38] = 1;
        b[39] = (byte) 0xFF;
        assertEquals(40, check(b));
    }

    @Test
    void shouldMarkATombstoneWithFlagBitZeroAndNoValue() {
        byte[] b = record(9, RecordFormat.FLAG_TOMBSTONE, KEY, null);
        ByteBuffer le = le(b);
        assertEquals(1, le.getShort(4), "flags: bit 0 is the tombstone");
        assertEquals(0, le.getInt(16), "a tombstone has valueLength 0");
        assertEquals(RecordFormat.size(KEY.length, 0), check(b));
        assertTrue(RecordFormat.isTombstone(MemorySegment.ofArray(b), 0));
        assertFalse(RecordFormat.isTombstone(MemorySegment.ofArray(record(9, 0, KEY, VALUE)), 0));
    }

    @Test
    void shouldStoreKeyLengthUnsignedUpTo65535() {
        byte[] key = new byte[RecordFormat.MAX_KEY_LENGTH];
        Arrays.fill(key, (byte) 'k');
        byte[] b = record(1, 0, key, new byte[0]);
        assertEquals((short) 0xFFFF, le(b).getShort(6));
        MemorySegment s = MemorySegment.ofArray(b);
        assertEquals(65535, RecordFormat.keyLength(s, 0));
        assertEquals(RecordFormat.size(65535, 0), check(b));
    }

    @Test
    void shouldAcceptAnEmptyValueDistinctFromATombstone() {
        byte[] b = record(5, 0, KEY, new byte[0]);
        assertEquals(0, le(b).getInt(16));
        assertEquals(0, le(b).getShort(4));
        assertEquals(RecordFormat.size(KEY.length, 0), check(b));
    }

    @Test
    void shouldReadBackRandomRecordsWrittenBackToBack() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        byte[] bytes = new byte[1 << 16];
        MemorySegment s = MemorySegment.ofArray(bytes);
        byte[] scratch = new byte[RecordFormat.CRC_COVERED_HEADER];
        CRC32C crc = new CRC32C();
        int n = 0;
        long[] offsets = new long[1000];
        byte[][] keys = new byte[1000][];
        byte[][] values = new byte[1000][];
        long off = 0;
        while (n < offsets.length) {
            byte[] key = new byte[1 + random.nextInt(40)];
            random.nextBytes(key);
            boolean tombstone = random.nextInt(5) == 0;
            byte[] value = tombstone ? null : new byte[random.nextInt(100)];
            if (value != null) {
                random.nextBytes(value);
            }
            long size = RecordFormat.size(key.length, value == null ? 0 : value.length);
            if (off + size > bytes.length) {
                break;
            }
            RecordFormat.write(s, off, n + 1, tombstone ? RecordFormat.FLAG_TOMBSTONE : 0, key, value, scratch, crc);
            offsets[n] = off;
            keys[n] = key;
            values[n] = value;
            off += size;
            n++;
        }
        long at = 0;
        for (int i = 0; i < n; i++) {
            String where = "record " + i + " (seed " + seed + ")";
            assertEquals(offsets[i], at, where);
            long size = RecordFormat.check(s, at, bytes.length);
            assertTrue(size > 0, where);
            assertEquals(0, at % 8, where);
            assertEquals(i + 1, RecordFormat.sequence(s, at), where);
            assertEquals(values[i] == null, RecordFormat.isTombstone(s, at), where);
            assertEquals(keys[i].length, RecordFormat.keyLength(s, at), where);
            assertArrayEquals(keys[i], s.asSlice(RecordFormat.keyOffset(at), keys[i].length).toArray(
                    java.lang.foreign.ValueLayout.JAVA_BYTE), where);
            byte[] expected = values[i] == null ? new byte[0] : values[i];
            assertEquals(expected.length, RecordFormat.valueLength(s, at), where);
            assertArrayEquals(expected, s.asSlice(RecordFormat.valueOffset(s, at), expected.length).toArray(
                    java.lang.foreign.ValueLayout.JAVA_BYTE), where);
            at += size;
        }
        assertEquals(RecordFormat.END, RecordFormat.check(s, at, bytes.length), "after the last record (seed " + seed + ")");
    }

    @Test
    void shouldReportTheEndAtAnAllZeroHeader() {
        byte[] zeros = new byte[64];
        assertEquals(RecordFormat.END, check(zeros));
        // A zero header ends the written part even when bytes after it are not zero.
        zeros[24] = 1;
        assertEquals(RecordFormat.END, check(zeros));
    }

    @Test
    void shouldReportTheEndWhenFewerThanAHeaderOfZerosRemain() {
        byte[] b = new byte[16];
        assertEquals(RecordFormat.END, check(b));
        b[15] = 1;
        assertEquals(RecordFormat.BAD, check(b));
        assertEquals(RecordFormat.END, RecordFormat.check(MemorySegment.ofArray(new byte[0]), 0, 0));
    }

    @Test
    void shouldRejectEverySingleBitFlipInTheCoveredBytes() {
        byte[] good = record(SEQUENCE, 0, KEY, VALUE);
        int covered = 24 + KEY.length + VALUE.length;
        for (int i = 0; i < covered; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = good.clone();
                b[i] ^= (byte) (1 << bit);
                assertEquals(RecordFormat.BAD, check(b), "flip of bit " + bit + " of byte " + i);
            }
        }
    }

    @Test
    void shouldAcceptBatchFlagsOnlyAsBatchOrBatchAndEnd() {
        int[] accepted = {RecordFormat.FLAG_BATCH, RecordFormat.FLAG_BATCH | RecordFormat.FLAG_BATCH_END};
        for (int flags : accepted) {
            byte[] b = record(SEQUENCE, 0, KEY, VALUE);
            le(b).putShort(4, (short) flags);
            reseal(b, KEY.length, VALUE.length);
            assertEquals(RecordFormat.size(KEY.length, VALUE.length), check(b), "flags " + flags);
        }
        byte[] b = record(SEQUENCE, 0, KEY, VALUE);
        le(b).putShort(4, (short) RecordFormat.FLAG_BATCH_END);
        reseal(b, KEY.length, VALUE.length);
        assertEquals(RecordFormat.BAD, check(b), "a batch end outside a batch");
        assertEquals(2, RecordFormat.FLAG_BATCH);
        assertEquals(4, RecordFormat.FLAG_BATCH_END);
    }

    @Test
    void shouldRejectUnknownFlagBitsEvenWithAMatchingCrc() {
        for (int bit = 3; bit < 16; bit++) {
            byte[] b = record(SEQUENCE, 0, KEY, VALUE);
            le(b).putShort(4, (short) (1 << bit));
            reseal(b, KEY.length, VALUE.length);
            assertEquals(RecordFormat.BAD, check(b), "flag bit " + bit);
        }
    }

    @Test
    void shouldRejectZeroKeyLengthEvenWithAMatchingCrc() {
        byte[] b = record(SEQUENCE, 0, KEY, VALUE);
        le(b).putShort(6, (short) 0);
        reseal(b, 0, VALUE.length);
        assertEquals(RecordFormat.BAD, check(b));
    }

    @Test
    void shouldRejectNegativeValueLengthWithoutReadingOutOfBounds() {
        byte[] b = record(SEQUENCE, 0, KEY, VALUE);
        le(b).putInt(16, -8);
        le(b).putInt(0, crc32c(b, 4, 24 + KEY.length));
        assertEquals(RecordFormat.BAD, check(b));
    }

    @Test
    void shouldRejectARecordRunningPastTheLimitWithoutReadingPastIt() {
        byte[] b = record(SEQUENCE, 0, KEY, VALUE);
        // A header claiming a huge value: the segment of exactly the record's size proves nothing past it is read.
        le(b).putInt(16, Integer.MAX_VALUE - 64);
        assertEquals(RecordFormat.BAD, check(b));
        // A good record cut by the limit is bad, and check reads nothing at or past the limit.
        byte[] good = record(SEQUENCE, 0, KEY, VALUE);
        for (int limit = 24; limit < good.length; limit++) {
            MemorySegment cut = MemorySegment.ofArray(Arrays.copyOf(good, limit));
            assertEquals(RecordFormat.BAD, RecordFormat.check(cut, 0, limit), "limit " + limit);
        }
        assertEquals(good.length, RecordFormat.check(MemorySegment.ofArray(good), 0, good.length));
    }

    @Test
    void shouldRejectNonZeroReservedBytesEvenWithAMatchingCrc() {
        for (int i = 20; i < 24; i++) {
            byte[] b = record(SEQUENCE, 0, KEY, VALUE);
            b[i] = 1;
            reseal(b, KEY.length, VALUE.length);
            assertEquals(RecordFormat.BAD, check(b), "reserved byte " + i);
        }
    }

    @Test
    void shouldRejectASequenceThatIsNotPositiveEvenWithAMatchingCrc() {
        for (long sequence : new long[] {0, -1, Long.MIN_VALUE}) {
            byte[] b = record(SEQUENCE, 0, KEY, VALUE);
            le(b).putLong(8, sequence);
            reseal(b, KEY.length, VALUE.length);
            assertEquals(RecordFormat.BAD, check(b), "sequence " + sequence);
        }
    }

    @Test
    void shouldRejectATombstoneCarryingAValueEvenWithAMatchingCrc() {
        byte[] b = record(SEQUENCE, 0, KEY, VALUE);
        le(b).putShort(4, (short) RecordFormat.FLAG_TOMBSTONE);
        reseal(b, KEY.length, VALUE.length);
        assertEquals(RecordFormat.BAD, check(b));
    }

    @Test
    void shouldRejectRandomGarbageHeaders() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 10_000; i++) {
            byte[] b = new byte[256];
            random.nextBytes(b);
            long r = check(b);
            // Random bytes essentially never form a record with a matching CRC and valid fields.
            assertEquals(RecordFormat.BAD, r, "garbage #" + i + " (seed " + seed + ")");
        }
    }

    @Test
    void shouldFindRecordsAtTheirOffsetInsideALargerSegment() {
        byte[] b = new byte[200];
        Arrays.fill(b, (byte) 0x77);
        MemorySegment s = MemorySegment.ofArray(b);
        long size = RecordFormat.size(KEY.length, VALUE.length);
        Arrays.fill(b, 64, 64 + (int) size, (byte) 0);
        RecordFormat.write(s, 64, 42, 0, KEY, VALUE, new byte[RecordFormat.CRC_COVERED_HEADER], new CRC32C());
        assertEquals(size, RecordFormat.check(s, 64, b.length));
        assertEquals(42, le(b).getLong(64 + 8));
        assertEquals(RecordFormat.BAD, RecordFormat.check(s, 64, 64 + size - 1));
        assertEquals(0x77, b[63] & 0xFF, "nothing written before the record");
        assertEquals(0x77, b[64 + (int) size] & 0xFF, "nothing written after the record");
    }
}
