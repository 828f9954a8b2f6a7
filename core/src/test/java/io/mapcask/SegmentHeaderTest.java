package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Checks the data segment header documented in {@link SegmentHeader} byte by byte: the
 * identifying fields, the two durable-mark slots, and that {@link SegmentHeader#verify}
 * refuses each kind of bad header with the file and the offset of the damage.
 */
class SegmentHeaderTest {

    private static final long ID = 0x0A0B0C0D0E0F1011L;
    private static final Path FILE = Path.of("store", "000042.data");

    private static byte[] header(long id) {
        byte[] b = new byte[(int) SegmentHeader.DATA_START];
        SegmentHeader.write(MemorySegment.ofArray(b), id);
        return b;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int crc32c(byte[] b, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(b, from, to - from);
        return (int) c.getValue();
    }

    private static MapcaskCorruptionException rejected(byte[] b) {
        return assertThrows(MapcaskCorruptionException.class,
                () -> SegmentHeader.verify(MemorySegment.ofArray(b), ID, FILE));
    }

    @Test
    void shouldPlaceEveryFieldAtItsDocumentedOffset() {
        byte[] b = header(ID);
        ByteBuffer le = le(b);
        assertEquals(0, SegmentHeader.MAGIC_OFFSET);
        assertEquals(8, SegmentHeader.VERSION_OFFSET);
        assertEquals(16, SegmentHeader.SEGMENT_ID_OFFSET);
        assertEquals(24, SegmentHeader.CRC_OFFSET);
        assertEquals(32, SegmentHeader.MARK_SLOT_0);
        assertEquals(64, SegmentHeader.MARK_SLOT_1);
        assertEquals(24, SegmentHeader.MARK_SLOT_SIZE);
        assertEquals(4096, SegmentHeader.DATA_START);

        assertArrayEquals("MCSKDATA".getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(b, 0, 8), "magic");
        assertEquals(1, le.getInt(8), "version");
        assertEquals(0, le.getInt(12), "reserved");
        assertEquals(ID, le.getLong(16), "segmentId");
        assertArrayEquals(new byte[] {0x11, 0x10, 0x0F, 0x0E, 0x0D, 0x0C, 0x0B, 0x0A}, Arrays.copyOfRange(b, 16, 24),
                "segmentId is little-endian");
        assertEquals(crc32c(b, 0, 24), le.getInt(24), "crc covers [0, 24)");
        for (int i = 28; i < b.length; i++) {
            assertEquals(0, b[i], "byte " + i + " of a fresh header (reserved, and both mark slots empty)");
        }
    }

    @Test
    void shouldVerifyAHeaderItWrote() {
        SegmentHeader.verify(MemorySegment.ofArray(header(ID)), ID, FILE);
        SegmentHeader.verify(MemorySegment.ofArray(header(1)), 1, FILE);
    }

    @Test
    void shouldRejectASegmentShorterThanItsHeader() {
        byte[] b = Arrays.copyOf(header(ID), 4095);
        MapcaskCorruptionException e = rejected(b);
        assertEquals(FILE, e.file());
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
    }

    @Test
    void shouldRejectABadMagicNamingWhatItFound() {
        byte[] b = header(ID);
        System.arraycopy("NOTMAPCA".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 8);
        MapcaskCorruptionException e = rejected(b);
        assertEquals(FILE, e.file());
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("'NOTMAPCA'") && e.getMessage().contains("'MCSKDATA'"), e.getMessage());
        assertTrue(e.getMessage().contains(FILE.toString()), e.getMessage());
    }

    @Test
    void shouldRejectAnotherVersionNamingFoundAndSupported() {
        byte[] b = header(ID);
        le(b).putInt(8, 7);
        le(b).putInt(24, crc32c(b, 0, 24));
        MapcaskCorruptionException e = rejected(b);
        assertEquals(8, e.offset());
        assertTrue(e.getMessage().contains("version 7") && e.getMessage().contains("supported: 1"), e.getMessage());
    }

    @Test
    void shouldRejectACrcMismatch() {
        byte[] good = header(ID);
        // Every bit of the id, reserved and CRC words (magic and version have their own messages).
        for (int i = 12; i < 28; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = good.clone();
                b[i] ^= (byte) (1 << bit);
                MapcaskCorruptionException e = rejected(b);
                assertEquals(24, e.offset(), "flip of bit " + bit + " of byte " + i);
                assertTrue(e.getMessage().contains("CRC mismatch"), e.getMessage());
            }
        }
    }

    @Test
    void shouldRejectAHeaderNamingAnotherId() {
        byte[] b = header(ID + 1);
        MapcaskCorruptionException e = rejected(b);
        assertEquals(16, e.offset());
        assertTrue(e.getMessage().contains("id " + (ID + 1)) && e.getMessage().contains("expects " + ID), e.getMessage());
    }

    @Test
    void shouldWriteMarksIntoAlternatingSlots() {
        byte[] b = header(ID);
        MemorySegment s = MemorySegment.ofArray(b);
        ByteBuffer le = le(b);
        assertEquals(0, SegmentHeader.MARK_COUNTER);
        assertEquals(8, SegmentHeader.MARK_END);
        assertEquals(16, SegmentHeader.MARK_CRC);

        SegmentHeader.writeMark(s, 1, 4096 + 80);
        // Odd counters go to slot 1 at 64, even ones to slot 0 at 32.
        assertEquals(1, le.getLong(64), "slot 1 counter");
        assertEquals(4096 + 80, le.getLong(72), "slot 1 durableEnd");
        assertEquals(crc32c(b, 64, 80), le.getInt(80), "slot 1 crc covers its 16 bytes");
        assertEquals(0, le.getInt(84), "slot 1 reserved");
        for (int i = 32; i < 64; i++) {
            assertEquals(0, b[i], "slot 0 untouched, byte " + i);
        }
        assertEquals(1, SegmentHeader.markCounter(s));
        assertEquals(4096 + 80, SegmentHeader.durableEnd(s));

        SegmentHeader.writeMark(s, 2, 4096 + 160);
        assertEquals(2, le.getLong(32), "slot 0 counter");
        assertEquals(4096 + 160, le.getLong(40), "slot 0 durableEnd");
        assertEquals(crc32c(b, 32, 48), le.getInt(48), "slot 0 crc covers its 16 bytes");
        assertEquals(0, le.getInt(52), "slot 0 reserved");
        assertEquals(1, le.getLong(64), "slot 1 still holds the previous mark");
        assertEquals(2, SegmentHeader.markCounter(s));
        assertEquals(4096 + 160, SegmentHeader.durableEnd(s));
        for (int i = 88; i < b.length; i++) {
            assertEquals(0, b[i], "reserved byte " + i);
        }
        // Marks lie outside the identifying CRC: the header still verifies.
        SegmentHeader.verify(s, ID, FILE);
    }

    @Test
    void shouldReportTheDataStartWhenNoMarkIsValid() {
        byte[] b = header(ID);
        MemorySegment s = MemorySegment.ofArray(b);
        assertEquals(0, SegmentHeader.markCounter(s));
        assertEquals(SegmentHeader.DATA_START, SegmentHeader.durableEnd(s));
    }

    @Test
    void shouldFallBackToTheOlderMarkWhenTheNewestSlotIsTorn() {
        byte[] good = header(ID);
        MemorySegment g = MemorySegment.ofArray(good);
        SegmentHeader.writeMark(g, 5, 8192);
        SegmentHeader.writeMark(g, 6, 12288);
        // Slot 0 holds counter 6; damage each of its 20 covered bytes in turn.
        for (int i = 32; i < 52; i++) {
            byte[] b = good.clone();
            b[i] ^= 0x01;
            MemorySegment s = MemorySegment.ofArray(b);
            assertEquals(8192, SegmentHeader.durableEnd(s), "damaged byte " + i);
            assertEquals(5, SegmentHeader.markCounter(s), "damaged byte " + i);
        }
        // Both slots damaged: no mark at all.
        byte[] b = good.clone();
        b[40] ^= 1;
        b[72] ^= 1;
        assertEquals(SegmentHeader.DATA_START, SegmentHeader.durableEnd(MemorySegment.ofArray(b)));
    }

    @Test
    void shouldIgnoreASlotWithCounterZeroEvenWithAMatchingCrc() {
        byte[] b = header(ID);
        ByteBuffer le = le(b);
        le.putLong(32, 0);
        le.putLong(40, 1 << 20);
        le.putInt(48, crc32c(b, 32, 48));
        assertEquals(SegmentHeader.DATA_START, SegmentHeader.durableEnd(MemorySegment.ofArray(b)));
    }

    @Test
    void shouldAlwaysReportTheNewestOfRandomMarks() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        byte[] b = header(ID);
        MemorySegment s = MemorySegment.ofArray(b);
        long end = SegmentHeader.DATA_START;
        for (long counter = 1; counter <= 1000; counter++) {
            end += 8L * random.nextInt(1000);
            SegmentHeader.writeMark(s, counter, end);
            assertEquals(counter, SegmentHeader.markCounter(s), "seed " + seed);
            assertEquals(end, SegmentHeader.durableEnd(s), "counter " + counter + " (seed " + seed + ")");
        }
    }

    @Test
    void shouldStartRecordsOnAPageOfTheirOwn() {
        assertEquals(0, SegmentHeader.DATA_START % 4096);
        assertTrue(SegmentHeader.MARK_SLOT_1 + SegmentHeader.MARK_SLOT_SIZE <= SegmentHeader.DATA_START);
    }
}
