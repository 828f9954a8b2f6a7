package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.mmap.RealFs;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the hint layout documented in {@link HintFormat} byte by byte, and that {@link
 * HintFormat#validate} refuses every hint that does not exactly describe its segment.
 */
class HintFormatTest {

    private static final long SEGMENT_ID = 0x0000_0012_3456_789AL;

    @TempDir
    Path dir;

    /** A data segment with a header and the given records, and the hint that describes it. */
    private record Fixture(byte[] data, long length, long[] offsets, byte[] hint) {
        MemorySegment hintSegment() {
            return MemorySegment.ofArray(hint);
        }
    }

    private static Fixture fixture(List<byte[]> keys, List<byte[]> values) {
        byte[] data = new byte[1 << 16];
        MemorySegment s = MemorySegment.ofArray(data);
        SegmentHeader.write(s, SEGMENT_ID);
        byte[] scratch = new byte[RecordFormat.CRC_COVERED_HEADER];
        CRC32C crc = new CRC32C();
        long off = SegmentHeader.DATA_START;
        long[] offsets = new long[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            byte[] v = values.get(i);
            offsets[i] = off;
            RecordFormat.write(s, off, 100 + i, v == null ? RecordFormat.FLAG_TOMBSTONE : 0, keys.get(i), v, scratch, crc);
            off += RecordFormat.size(keys.get(i).length, v == null ? 0 : v.length);
        }
        long size = HintFormat.HEADER_SIZE + HintFormat.FOOTER_SIZE;
        for (byte[] k : keys) {
            size += HintFormat.entrySize(k.length);
        }
        byte[] hint = new byte[(int) size];
        Arrays.fill(hint, (byte) 0xEE); // the writer must set every byte itself
        MemorySegment h = MemorySegment.ofArray(hint);
        HintFormat.writeHeader(h, SEGMENT_ID, off);
        long at = HintFormat.HEADER_SIZE;
        for (long o : offsets) {
            at += HintFormat.writeEntry(h, at, s, o);
        }
        assertEquals(size - HintFormat.FOOTER_SIZE, at);
        HintFormat.writeFooter(h, at, keys.size());
        return new Fixture(data, off, offsets, hint);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Three records: a put, a tombstone, a put with an empty value. */
    private static Fixture three() {
        List<byte[]> values = new ArrayList<>();
        values.add(ascii("hello"));
        values.add(null);
        values.add(new byte[0]);
        return fixture(List.of(ascii("alpha"), ascii("b"), ascii("gamma-key")), values);
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int crc32c(byte[] b, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(b, from, to - from);
        return (int) c.getValue();
    }

    /** Recomputes the footer CRC after a test changed the hint, as a buggy writer would have produced it. */
    private static byte[] reseal(byte[] hint) {
        int footer = hint.length - 16;
        le(hint).putInt(footer + 8, crc32c(hint, 0, footer + 8));
        return hint;
    }

    private static String validate(Fixture f, byte[] hint) {
        return HintFormat.validate(MemorySegment.ofArray(hint), SEGMENT_ID, f.length());
    }

    @Test
    void shouldPlaceEveryHeaderFieldAtItsDocumentedOffset() {
        Fixture f = three();
        byte[] h = f.hint();
        ByteBuffer le = le(h);
        assertEquals(0, HintFormat.MAGIC_OFFSET);
        assertEquals(8, HintFormat.VERSION_OFFSET);
        assertEquals(16, HintFormat.SEGMENT_ID_OFFSET);
        assertEquals(24, HintFormat.SEGMENT_LENGTH_OFFSET);
        assertEquals(32, HintFormat.HEADER_SIZE);
        assertArrayEquals(ascii("MCSKHINT"), Arrays.copyOfRange(h, 0, 8), "magic");
        assertEquals(1, le.getInt(8), "version");
        assertEquals(0, le.getInt(12), "reserved");
        assertEquals(SEGMENT_ID, le.getLong(16), "segmentId");
        assertArrayEquals(new byte[] {(byte) 0x9A, 0x78, 0x56, 0x34, 0x12, 0, 0, 0}, Arrays.copyOfRange(h, 16, 24),
                "segmentId is little-endian");
        assertEquals(f.length(), le.getLong(24), "segmentLength");
        assertNull(validate(f, h));
    }

    @Test
    void shouldPlaceEveryEntryFieldAtItsDocumentedOffset() {
        Fixture f = three();
        byte[] h = f.hint();
        ByteBuffer le = le(h);
        ByteBuffer data = le(f.data());
        assertEquals(0, HintFormat.ENTRY_SEQUENCE);
        assertEquals(8, HintFormat.ENTRY_OFFSET);
        assertEquals(16, HintFormat.ENTRY_VALUE_LENGTH);
        assertEquals(20, HintFormat.ENTRY_FLAGS);
        assertEquals(22, HintFormat.ENTRY_KEY_LENGTH);
        assertEquals(24, HintFormat.ENTRY_HEADER_SIZE);
        String[] keys = {"alpha", "b", "gamma-key"};
        int[] valueLengths = {5, 0, 0};
        int[] flags = {0, 1, 0};
        int at = 32;
        for (int i = 0; i < 3; i++) {
            String e = "entry " + i;
            assertEquals(0, at % 8, e + " starts at a multiple of 8");
            assertEquals(100 + i, le.getLong(at), e + " sequence");
            assertEquals(f.offsets()[i], le.getLong(at + 8), e + " offset");
            assertEquals(data.getLong((int) f.offsets()[i] + 8), le.getLong(at), e + " sequence equals the record's");
            assertEquals(valueLengths[i], le.getInt(at + 16), e + " valueLength");
            assertEquals(flags[i], le.getShort(at + 20), e + " flags");
            assertEquals(keys[i].length(), le.getShort(at + 22), e + " keyLength");
            assertArrayEquals(ascii(keys[i]), Arrays.copyOfRange(h, at + 24, at + 24 + keys[i].length()), e + " key");
            int size = (int) HintFormat.entrySize(keys[i].length());
            assertEquals(0, size % 8);
            for (int p = at + 24 + keys[i].length(); p < at + size; p++) {
                assertEquals(0, h[p], e + " padding byte " + p);
            }
            at += size;
        }
        assertEquals(h.length - 16, at, "the footer follows the last entry");
    }

    @Test
    void shouldEndWithAFooterCountingEntriesWithACrcOverEverythingBeforeIt() {
        Fixture f = three();
        byte[] h = f.hint();
        int footer = h.length - 16;
        assertEquals(0, HintFormat.FOOTER_ENTRY_COUNT);
        assertEquals(8, HintFormat.FOOTER_CRC);
        assertEquals(16, HintFormat.FOOTER_SIZE);
        assertEquals(0, h.length % 8);
        assertEquals(footer, HintFormat.footerOffset(f.hintSegment()));
        assertEquals(3, le(h).getLong(footer), "entryCount");
        assertEquals(crc32c(h, 0, footer + 8), le(h).getInt(footer + 8), "crc of every byte before it");
        assertEquals(0, le(h).getInt(footer + 12), "reserved");
    }

    @Test
    void shouldDescribeAnEmptySegmentWithHeaderAndFooterOnly() {
        Fixture f = fixture(List.of(), List.of());
        assertEquals(SegmentHeader.DATA_START, f.length());
        assertEquals(48, f.hint().length);
        assertEquals(0, le(f.hint()).getLong(32));
        assertNull(validate(f, f.hint()));
    }

    @Test
    void shouldWriteTheSameBytesToAHintFileThroughHintWriter() throws IOException {
        Fixture f = three();
        HintWriter.write(RealFs.INSTANCE, dir, SEGMENT_ID, MemorySegment.ofArray(f.data()), f.length());
        Path file = dir.resolve(FileNames.hint(SEGMENT_ID));
        assertEquals("78187493530.hint", file.getFileName().toString());
        assertArrayEquals(f.hint(), Files.readAllBytes(file));
        Path small = dir.resolve(FileNames.hint(7));
        assertEquals("000007.hint", small.getFileName().toString());
    }

    @Test
    void shouldAcceptRandomHintsThatDescribeTheirSegment() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 50; round++) {
            int n = random.nextInt(60);
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] k = new byte[1 + random.nextInt(30)];
                random.nextBytes(k);
                keys.add(k);
                byte[] v = random.nextInt(4) == 0 ? null : new byte[random.nextInt(200)];
                if (v != null) {
                    random.nextBytes(v);
                }
                values.add(v);
            }
            Fixture f = fixture(keys, values);
            assertNull(validate(f, f.hint()), "round " + round + " (seed " + seed + ")");
            assertEquals(n, le(f.hint()).getLong(f.hint().length - 16), "round " + round + " (seed " + seed + ")");
        }
    }

    @Test
    void shouldRejectAHintOfImpossibleSize() {
        Fixture f = three();
        assertTrue(validate(f, new byte[0]).contains("impossible size 0"));
        assertTrue(validate(f, new byte[40]).contains("impossible size 40"));
        byte[] odd = Arrays.copyOf(f.hint(), f.hint().length + 4);
        assertTrue(validate(f, odd).contains("impossible size"), validate(f, odd));
    }

    @Test
    void shouldRejectATruncatedHint() {
        Fixture f = three();
        for (int len = 0; len < f.hint().length; len++) {
            assertNotNull(validate(f, Arrays.copyOf(f.hint(), len)), "hint cut to " + len + " bytes");
        }
    }

    @Test
    void shouldRejectABadMagic() {
        Fixture f = three();
        byte[] h = f.hint().clone();
        h[0] = 'X';
        String problem = validate(f, reseal(h));
        assertTrue(problem.contains("magic") && problem.contains("XCSKHINT"), problem);
    }

    @Test
    void shouldRejectAnotherVersionNamingFoundAndSupported() {
        Fixture f = three();
        byte[] h = f.hint().clone();
        le(h).putInt(8, 2);
        String problem = validate(f, reseal(h));
        assertTrue(problem.contains("version 2") && problem.contains("supported: 1"), problem);
    }

    @Test
    void shouldRejectAnyFlippedBitThroughItsCrc() {
        Fixture f = three();
        for (int i = 0; i < f.hint().length; i++) {
            if (i >= f.hint().length - 4) {
                continue; // the reserved word after the CRC is not covered
            }
            byte[] h = f.hint().clone();
            h[i] ^= 0x10;
            assertNotNull(validate(f, h), "flip in byte " + i);
        }
        byte[] h = f.hint().clone();
        h[h.length - 8] ^= 1;
        assertEquals("hint CRC mismatch", validate(f, h));
    }

    @Test
    void shouldRejectAHintForAnotherSegmentId() {
        Fixture f = three();
        String problem = HintFormat.validate(f.hintSegment(), SEGMENT_ID + 1, f.length());
        assertTrue(problem.contains("segment " + SEGMENT_ID) && problem.contains("segment " + (SEGMENT_ID + 1)), problem);
    }

    @Test
    void shouldRejectAHintForAnotherSegmentLength() {
        Fixture f = three();
        String problem = HintFormat.validate(f.hintSegment(), SEGMENT_ID, f.length() + 8);
        assertTrue(problem.contains("length " + f.length()) && problem.contains("length " + (f.length() + 8)), problem);
        assertNotNull(HintFormat.validate(f.hintSegment(), SEGMENT_ID, f.length() - 8));
    }

    @Test
    void shouldRejectHintPointingPastItsSegment() {
        Fixture f = three();
        // The last entry claims a larger value, so its record would end past the committed length.
        byte[] h = f.hint().clone();
        int last = lastEntry(f);
        le(h).putInt(last + 16, 4096);
        String problem = validate(f, reseal(h));
        assertTrue(problem.contains("outside the records of its segment"), problem);
    }

    @Test
    void shouldRejectHintEntryWithAnOffsetBeyondItsSegment() {
        Fixture f = three();
        byte[] h = f.hint().clone();
        int last = lastEntry(f);
        le(h).putLong(last + 8, f.length() + 8);
        String problem = validate(f, reseal(h));
        assertTrue(problem.contains("points at offset " + (f.length() + 8)), problem);
        le(h).putLong(last + 8, Long.MAX_VALUE - 7);
        assertNotNull(validate(f, reseal(h)));
        le(h).putLong(last + 8, -8);
        assertNotNull(validate(f, reseal(h)));
    }

    @Test
    void shouldRejectHintEntryPointingIntoTheSegmentHeader() {
        Fixture f = three();
        byte[] h = f.hint().clone();
        le(h).putLong(32 + 8, 0);
        String problem = validate(f, reseal(h));
        assertTrue(problem.contains("points at offset 0"), problem);
    }

    @Test
    void shouldRejectHintEntriesThatDoNotTileTheSegment() {
        Fixture f = three();
        byte[] h = f.hint().clone();
        // Swap the offsets of the first two entries: each still lies inside the segment.
        int second = 32 + (int) HintFormat.entrySize(5);
        long first = le(h).getLong(32 + 8);
        le(h).putLong(32 + 8, le(h).getLong(second + 8));
        le(h).putLong(second + 8, first);
        assertTrue(validate(f, reseal(h)).contains("outside the records of its segment"));
    }

    @Test
    void shouldRejectHintThatStopsShortOfItsSegment() {
        // A hint describing only the first two records of a three-record segment.
        Fixture f = three();
        int last = lastEntry(f);
        byte[] h = Arrays.copyOf(f.hint(), last + 16);
        le(h).putLong(last, 2);
        le(h).putInt(last + 12, 0);
        String problem = validate(f, reseal(h));
        assertTrue(problem.contains("covers the segment up to " + f.offsets()[2]), problem);
    }

    @Test
    void shouldRejectAFooterCountThatDoesNotMatchTheEntries() {
        Fixture f = three();
        for (long count : new long[] {0, 2, 4, -1, Long.MAX_VALUE}) {
            byte[] h = f.hint().clone();
            le(h).putLong(h.length - 16, count);
            String problem = validate(f, reseal(h));
            assertTrue(problem.contains("footer counts " + count + " entries, found 3"), problem);
        }
    }

    @Test
    void shouldRejectMalformedEntries() {
        Fixture f = three();
        int last = lastEntry(f);
        // key length 0
        byte[] h = f.hint().clone();
        le(h).putShort(32 + 22, (short) 0);
        assertMalformed(f, reseal(h), 32);
        // negative value length
        h = f.hint().clone();
        le(h).putInt(32 + 16, -1);
        assertMalformed(f, reseal(h), 32);
        // unknown flag
        h = f.hint().clone();
        le(h).putShort(32 + 20, (short) 8);
        assertMalformed(f, reseal(h), 32);
        // sequence not positive
        h = f.hint().clone();
        le(h).putLong(32, 0);
        assertMalformed(f, reseal(h), 32);
        // a key running into the footer
        h = f.hint().clone();
        le(h).putShort(last + 22, (short) 0xFFFF);
        assertMalformed(f, reseal(h), last);
    }

    @Test
    void shouldRejectAnEntryHeaderRunningIntoTheFooter() {
        Fixture f = three();
        // Eight bytes of stray entry between the last entry and the footer.
        int footer = f.hint().length - 16;
        byte[] h = new byte[f.hint().length + 8];
        System.arraycopy(f.hint(), 0, h, 0, footer);
        System.arraycopy(f.hint(), footer, h, footer + 8, 16);
        le(h).putLong(footer, 1);
        String problem = validate(f, reseal(h));
        assertTrue(problem.contains("runs into the footer"), problem);
    }

    @Test
    void shouldRejectRandomlyDamagedHintsThatStillHaveAValidCrc() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Fixture f = three();
        // Damage only the fields that describe records; with the CRC resealed, only the structural checks remain.
        int last = lastEntry(f);
        int[] entries = {32, 32 + (int) HintFormat.entrySize(5), last};
        for (int i = 0; i < 2000; i++) {
            byte[] h = f.hint().clone();
            int e = entries[random.nextInt(3)];
            int field = random.nextInt(3);
            switch (field) {
                case 0 -> le(h).putLong(e + 8, le(h).getLong(e + 8) + 8L * (1 + random.nextInt(1000)));
                case 1 -> le(h).putInt(e + 16, le(h).getInt(e + 16) + 8 * (1 + random.nextInt(1000)));
                default -> le(h).putShort(e + 22, (short) (le(h).getShort(e + 22) + 8 * (1 + random.nextInt(100))));
            }
            assertNotNull(validate(f, reseal(h)), "damage #" + i + " of field " + field + " in entry at " + e
                    + " (seed " + seed + ")");
        }
    }

    private static void assertMalformed(Fixture f, byte[] h, int at) {
        String problem = validate(f, h);
        assertEquals("hint entry at " + at + " is malformed", problem);
    }

    private static int lastEntry(Fixture f) {
        return 32 + (int) HintFormat.entrySize(5) + (int) HintFormat.entrySize(1);
    }
}
