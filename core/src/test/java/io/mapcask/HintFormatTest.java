package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the hint layout documented in {@link HintFormat} byte by byte, and that {@link
 * HintFormat#validate} refuses every hint that does not exactly describe its segment.
 */
class HintFormatTest {

    private static final long SEGMENT_ID = 0x0000_0012_3456_789AL;
    /** All eight bytes distinct and the top bit set, so that a truncated or big-endian seed shows. */
    private static final long HASH_SEED = 0x8877_6655_4433_2211L;

    @TempDir
    Path dir;

    /** A data segment with a header and the given records, and the hint that describes it. */
    private record Fixture(byte[] data, long length, long[] offsets, List<byte[]> keys, long hashSeed, byte[] hint) {
        MemorySegment hintSegment() {
            return MemorySegment.ofArray(hint);
        }
    }

    private static Fixture fixture(List<byte[]> keys, List<byte[]> values) {
        return fixture(keys, values, HASH_SEED);
    }

    private static Fixture fixture(List<byte[]> keys, List<byte[]> values, long hashSeed) {
        long end = SegmentHeader.DATA_START;
        for (int i = 0; i < keys.size(); i++) {
            end += RecordFormat.size(keys.get(i).length, values.get(i) == null ? 0 : values.get(i).length);
        }
        byte[] data = new byte[(int) end];
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
        assertEquals(end, off);
        long size = HintFormat.fileSize(keys.size());
        assertEquals(40 + 24L * keys.size() + 16, size, "header, 24 bytes per entry whatever the key, footer");
        byte[] hint = new byte[(int) size];
        Arrays.fill(hint, (byte) 0xEE); // the writer must set every byte itself
        MemorySegment h = MemorySegment.ofArray(hint);
        HintFormat.writeHeader(h, SEGMENT_ID, off, hashSeed);
        long at = HintFormat.HEADER_SIZE;
        for (long o : offsets) {
            HintFormat.writeEntry(h, at, s, o, hashSeed);
            at += HintFormat.ENTRY_SIZE;
        }
        assertEquals(size - HintFormat.FOOTER_SIZE, at);
        HintFormat.writeFooter(h, at, keys.size());
        return new Fixture(data, off, offsets, List.copyOf(keys), hashSeed, hint);
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
        return HintFormat.validate(MemorySegment.ofArray(hint), SEGMENT_ID, f.length(), f.hashSeed());
    }

    /** The offset of entry {@code i}: entries are 24 bytes each, right after the 40-byte header. */
    private static int entry(int i) {
        return 40 + 24 * i;
    }

    private static byte[] littleEndian(long v, int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
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
        assertEquals(32, HintFormat.HASH_SEED_OFFSET);
        assertEquals(40, HintFormat.HEADER_SIZE);
        assertArrayEquals(ascii("MCSKHINT"), Arrays.copyOfRange(h, 0, 8), "magic");
        assertEquals(1, le.getInt(8), "version");
        assertEquals(0, le.getInt(12), "reserved");
        assertEquals(SEGMENT_ID, le.getLong(16), "segmentId");
        assertArrayEquals(new byte[] {(byte) 0x9A, 0x78, 0x56, 0x34, 0x12, 0, 0, 0}, Arrays.copyOfRange(h, 16, 24),
                "segmentId is little-endian");
        assertEquals(f.length(), le.getLong(24), "segmentLength");
        assertArrayEquals(littleEndian(f.length(), 8), Arrays.copyOfRange(h, 24, 32), "segmentLength is little-endian");
        assertEquals(HASH_SEED, le.getLong(32), "hashSeed");
        assertArrayEquals(new byte[] {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88},
                Arrays.copyOfRange(h, 32, 40), "hashSeed is little-endian, all 64 bits");
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
        assertEquals(12, HintFormat.ENTRY_VALUE_LENGTH);
        assertEquals(16, HintFormat.ENTRY_FLAGS);
        assertEquals(18, HintFormat.ENTRY_KEY_LENGTH);
        assertEquals(20, HintFormat.ENTRY_HASH_WORD);
        assertEquals(24, HintFormat.ENTRY_SIZE);
        String[] keys = {"alpha", "b", "gamma-key"};
        int[] valueLengths = {5, 0, 0};
        int[] flags = {0, 1, 0};
        int at = 40;
        for (int i = 0; i < 3; i++) {
            String e = "entry " + i;
            int rec = (int) f.offsets()[i];
            assertEquals(entry(i), at);
            assertEquals(0, at % 8, e + " starts at a multiple of 8");
            assertEquals(100 + i, le.getLong(at), e + " sequence");
            assertArrayEquals(littleEndian(100 + i, 8), Arrays.copyOfRange(h, at, at + 8), e + " sequence is little-endian");
            assertEquals(data.getLong(rec + 8), le.getLong(at), e + " sequence equals the record's");
            assertEquals(f.offsets()[i], Integer.toUnsignedLong(le.getInt(at + 8)), e + " offset");
            assertArrayEquals(littleEndian(f.offsets()[i], 4), Arrays.copyOfRange(h, at + 8, at + 12),
                    e + " offset is a little-endian u32");
            assertEquals(f.offsets()[i], HintFormat.entryOffset(f.hintSegment(), at), e + " entryOffset reads it");
            assertEquals(valueLengths[i], le.getInt(at + 12), e + " valueLength");
            assertEquals(data.getInt(rec + 16), le.getInt(at + 12), e + " valueLength equals the record's");
            assertEquals(flags[i], le.getShort(at + 16), e + " flags");
            assertEquals(data.getShort(rec + 4), le.getShort(at + 16), e + " flags equal the record's");
            assertEquals(keys[i].length(), le.getShort(at + 18), e + " keyLength");
            assertEquals(data.getShort(rec + 6), le.getShort(at + 18), e + " keyLength equals the record's");
            assertArrayEquals(ascii(keys[i]), Arrays.copyOfRange(f.data(), rec + 24, rec + 24 + keys[i].length()),
                    e + " points at the record holding its key");
            int word = (int) KeyHash.hash(ascii(keys[i]), HASH_SEED);
            assertEquals(word, le.getInt(at + 20), e + " hashWord is the low 32 bits of the key's seeded hash");
            assertArrayEquals(littleEndian(word, 4), Arrays.copyOfRange(h, at + 20, at + 24),
                    e + " hashWord is little-endian");
            assertEquals(word, (int) KeyHash.hash(MemorySegment.ofArray(f.data()), rec + 24, keys[i].length(), HASH_SEED),
                    e + " the same hash from the segment's key bytes");
            at += 24;
        }
        assertEquals(h.length - 16, at, "the footer follows the last entry");
    }

    @Test
    void shouldCopyNoKeyBytesIntoTheHint() {
        byte[] key = new byte[300];
        Arrays.fill(key, (byte) 'k');
        List<byte[]> values = new ArrayList<>();
        values.add(ascii("v"));
        Fixture f = fixture(List.of(key), values);
        assertEquals(40 + 24 + 16, f.hint().length, "one 300-byte key costs one 24-byte entry");
        assertEquals(300, le(f.hint()).getShort(40 + 18), "keyLength");
        for (int i = 0; i + 8 <= f.hint().length; i++) {
            assertNotEquals("kkkkkkkk", new String(f.hint(), i, 8, StandardCharsets.US_ASCII), "key bytes at " + i);
        }
    }

    @Test
    void shouldNotGrowWithKeyLength() {
        TestSeeds.run(0x48494E544B45594CL, rnd -> {
            int n = 1 + rnd.nextInt(40);
            long expected = HintFormat.fileSize(n);
            assertEquals(40 + 24L * n + 16, expected);
            for (int keyLength : new int[] {1, 8, 200, 4096, RecordFormat.MAX_KEY_LENGTH}) {
                List<byte[]> keys = new ArrayList<>();
                List<byte[]> values = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    byte[] k = new byte[keyLength];
                    rnd.nextBytes(k);
                    keys.add(k);
                    values.add(rnd.nextBoolean() ? null : new byte[rnd.nextInt(50)]);
                }
                Fixture f = fixture(keys, values);
                assertEquals(expected, f.hint().length, n + " keys of " + keyLength + " bytes");
                assertNull(validate(f, f.hint()), n + " keys of " + keyLength + " bytes");
                for (int i = 0; i < n; i++) {
                    assertEquals(keyLength, Short.toUnsignedInt(le(f.hint()).getShort(entry(i) + 18)), "keyLength");
                    assertEquals((int) KeyHash.hash(keys.get(i), HASH_SEED), le(f.hint()).getInt(entry(i) + 20),
                            "hashWord of entry " + i);
                }
            }
        });
    }

    @Test
    void shouldComputeHashWordsWithTheSeedOfItsHeader() {
        TestSeeds.run(0x48494E5453454544L, rnd -> {
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                byte[] k = new byte[1 + rnd.nextInt(40)];
                rnd.nextBytes(k);
                keys.add(k);
                values.add(new byte[rnd.nextInt(20)]);
            }
            long seedA = rnd.nextLong();
            long seedB = seedA ^ (1L << rnd.nextInt(64));
            Fixture a = fixture(keys, values, seedA);
            Fixture b = fixture(keys, values, seedB);
            assertEquals(seedA, le(a.hint()).getLong(32));
            assertEquals(seedB, le(b.hint()).getLong(32));
            int differing = 0;
            for (int i = 0; i < keys.size(); i++) {
                int wa = le(a.hint()).getInt(entry(i) + 20);
                int wb = le(b.hint()).getInt(entry(i) + 20);
                assertEquals((int) KeyHash.hash(keys.get(i), seedA), wa, "entry " + i + " with seed A");
                assertEquals((int) KeyHash.hash(keys.get(i), seedB), wb, "entry " + i + " with seed B");
                differing += wa != wb ? 1 : 0;
                // Apart from the hash words, the entries are the same.
                assertArrayEquals(Arrays.copyOfRange(a.hint(), entry(i), entry(i) + 20),
                        Arrays.copyOfRange(b.hint(), entry(i), entry(i) + 20), "entry " + i);
            }
            assertTrue(differing >= keys.size() - 1, "another seed gives other hash words (" + differing + " of "
                    + keys.size() + " differ)");
        });
    }

    @Test
    void shouldEndWithAFooterCountingEntriesWithACrcOverEverythingBeforeIt() {
        Fixture f = three();
        byte[] h = f.hint();
        int footer = h.length - 16;
        assertEquals(0, HintFormat.FOOTER_ENTRY_COUNT);
        assertEquals(8, HintFormat.FOOTER_CRC);
        assertEquals(16, HintFormat.FOOTER_SIZE);
        assertEquals(40 + 3 * 24 + 16, h.length);
        assertEquals(HintFormat.fileSize(3), h.length);
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
        assertEquals(56, f.hint().length);
        assertEquals(56, HintFormat.fileSize(0));
        assertEquals(HASH_SEED, le(f.hint()).getLong(32), "an empty hint still names its seed");
        assertEquals(0, le(f.hint()).getLong(40));
        assertNull(validate(f, f.hint()));
    }

    @Test
    void shouldWriteTheSameBytesToAHintFileThroughHintWriter() throws IOException {
        Fixture f = three();
        HintWriter.write(RealFs.INSTANCE, dir, SEGMENT_ID, MemorySegment.ofArray(f.data()), f.length(), HASH_SEED);
        Path file = dir.resolve(FileNames.hint(SEGMENT_ID));
        assertEquals("78187493530.hint", file.getFileName().toString());
        assertArrayEquals(f.hint(), Files.readAllBytes(file));
        Path small = dir.resolve(FileNames.hint(7));
        assertEquals("000007.hint", small.getFileName().toString());
    }

    @Test
    void shouldAcceptRandomHintsThatDescribeTheirSegment() {
        TestSeeds.run(0x48494E5452414E44L, random -> {
            for (int round = 0; round < 50; round++) {
                int n = random.nextInt(60);
                long hashSeed = random.nextLong();
                List<byte[]> keys = new ArrayList<>();
                List<byte[]> values = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    byte[] k = new byte[1 + random.nextInt(random.nextInt(8) == 0 ? 600 : 30)];
                    random.nextBytes(k);
                    keys.add(k);
                    byte[] v = random.nextInt(4) == 0 ? null : new byte[random.nextInt(200)];
                    if (v != null) {
                        random.nextBytes(v);
                    }
                    values.add(v);
                }
                Fixture f = fixture(keys, values, hashSeed);
                assertNull(validate(f, f.hint()), "round " + round);
                assertEquals(HintFormat.fileSize(n), f.hint().length, "round " + round);
                assertEquals(n, le(f.hint()).getLong(f.hint().length - 16), "round " + round);
                for (int i = 0; i < n; i++) {
                    assertEquals(f.offsets()[i], Integer.toUnsignedLong(le(f.hint()).getInt(entry(i) + 8)),
                            "round " + round + " entry " + i + " offset");
                    assertEquals((int) KeyHash.hash(keys.get(i), hashSeed), le(f.hint()).getInt(entry(i) + 20),
                            "round " + round + " entry " + i + " hashWord");
                }
            }
        });
    }

    @Test
    void shouldRejectAHintOfImpossibleSize() {
        Fixture f = three();
        assertTrue(validate(f, new byte[0]).contains("impossible size 0"));
        assertTrue(validate(f, new byte[40]).contains("impossible size 40"));
        assertTrue(validate(f, new byte[55]).contains("impossible size 55"));
        // Sizes between whole entries: header, footer and a part of an entry.
        for (int extra : new int[] {4, 8, 16, 23, 25}) {
            byte[] odd = Arrays.copyOf(f.hint(), f.hint().length + extra);
            assertTrue(validate(f, odd).contains("impossible size " + odd.length), validate(f, odd));
        }
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
        // Every bit of the hash seed and of every hash word, which no structural check covers.
        for (int i : new int[] {32, entry(0) + 20, entry(1) + 20, entry(2) + 20}) {
            for (int bit = 0; bit < (i == 32 ? 64 : 32); bit++) {
                byte[] h = f.hint().clone();
                h[i + bit / 8] ^= (byte) (1 << (bit % 8));
                assertEquals("hint CRC mismatch", validate(f, h), "flip of bit " + bit + " of the field at " + i);
            }
        }
        byte[] h = f.hint().clone();
        h[h.length - 8] ^= 1;
        assertEquals("hint CRC mismatch", validate(f, h));
    }

    @Test
    void shouldRejectAHintForAnotherSegmentId() {
        Fixture f = three();
        String problem = HintFormat.validate(f.hintSegment(), SEGMENT_ID + 1, f.length(), HASH_SEED);
        assertTrue(problem.contains("segment " + SEGMENT_ID) && problem.contains("segment " + (SEGMENT_ID + 1)), problem);
    }

    @Test
    void shouldRejectAHintForAnotherSegmentLength() {
        Fixture f = three();
        String problem = HintFormat.validate(f.hintSegment(), SEGMENT_ID, f.length() + 8, HASH_SEED);
        assertTrue(problem.contains("length " + f.length()) && problem.contains("length " + (f.length() + 8)), problem);
        assertNotNull(HintFormat.validate(f.hintSegment(), SEGMENT_ID, f.length() - 8, HASH_SEED));
    }

    @Test
    void shouldRejectAHintWrittenWithAnotherHashSeed() {
        TestSeeds.run(0x484E54534545444FL, rnd -> {
            Fixture f = three();
            // A hint of the same id and length from another store (or a store re-created in the same directory).
            for (long other : new long[] {HASH_SEED + 1, HASH_SEED ^ Long.MIN_VALUE, HASH_SEED >>> 32, 0, -1,
                    Long.reverseBytes(HASH_SEED), rnd.nextLong()}) {
                String problem = HintFormat.validate(f.hintSegment(), SEGMENT_ID, f.length(), other);
                assertEquals("hint was written with another store's hash seed", problem, "seed " + other);
            }
            // The same entries under another seed in the header (a valid CRC): refused for this store.
            byte[] h = f.hint().clone();
            le(h).putLong(32, HASH_SEED ^ 1);
            assertEquals("hint was written with another store's hash seed", validate(f, reseal(h)));
            // Its own seed is accepted, whatever it is.
            long seed = rnd.nextLong();
            Fixture g = fixture(f.keys(), List.of(ascii("hello"), new byte[0], new byte[0]), seed);
            assertNull(HintFormat.validate(g.hintSegment(), SEGMENT_ID, g.length(), seed));
            assertNotNull(HintFormat.validate(g.hintSegment(), SEGMENT_ID, g.length(), HASH_SEED));
        });
    }

    @Test
    void shouldRejectHintPointingPastItsSegment() {
        Fixture f = three();
        int last = entry(2);
        // The last entry claims a larger value, so its record would end past the committed length.
        byte[] h = f.hint().clone();
        le(h).putInt(last + 12, 4096);
        String problem = validate(f, reseal(h));
        assertTrue(problem.contains("outside the records of its segment"), problem);
        // Or a longer key (there are no key bytes in the hint for it to run into: it runs past the segment).
        h = f.hint().clone();
        le(h).putShort(last + 18, (short) 0xFFFF);
        problem = validate(f, reseal(h));
        assertTrue(problem.contains("outside the records of its segment"), problem);
    }

    @Test
    void shouldRejectHintEntryWithAnOffsetBeyondItsSegment() {
        Fixture f = three();
        byte[] h = f.hint().clone();
        int last = entry(2);
        le(h).putInt(last + 8, (int) f.length() + 8);
        String problem = validate(f, reseal(h));
        assertTrue(problem.contains("points at offset " + (f.length() + 8)), problem);
        // The offset is unsigned: the largest u32 offsets are far past the segment, not negative.
        le(h).putInt(last + 8, -8);
        problem = validate(f, reseal(h));
        assertTrue(problem.contains("points at offset " + 0xFFFF_FFF8L), problem);
        le(h).putInt(last + 8, Integer.MIN_VALUE);
        problem = validate(f, reseal(h));
        assertTrue(problem.contains("points at offset " + 0x8000_0000L), problem);
        le(h).putInt(last + 8, Integer.MAX_VALUE - 7);
        assertNotNull(validate(f, reseal(h)));
    }

    @Test
    void shouldRejectHintEntryPointingIntoTheSegmentHeader() {
        Fixture f = three();
        byte[] h = f.hint().clone();
        le(h).putInt(entry(0) + 8, 0);
        String problem = validate(f, reseal(h));
        assertTrue(problem.contains("points at offset 0"), problem);
    }

    @Test
    void shouldRejectHintEntriesThatDoNotTileTheSegment() {
        Fixture f = three();
        byte[] h = f.hint().clone();
        // Swap the offsets of the first two entries: each still lies inside the segment.
        int first = le(h).getInt(entry(0) + 8);
        le(h).putInt(entry(0) + 8, le(h).getInt(entry(1) + 8));
        le(h).putInt(entry(1) + 8, first);
        assertTrue(validate(f, reseal(h)).contains("outside the records of its segment"));
        // Swap two whole entries: the records out of order.
        h = f.hint().clone();
        System.arraycopy(f.hint(), entry(1), h, entry(0), 24);
        System.arraycopy(f.hint(), entry(0), h, entry(1), 24);
        assertTrue(validate(f, reseal(h)).contains("outside the records of its segment"));
        // An entry twice: a gap after it.
        h = f.hint().clone();
        System.arraycopy(f.hint(), entry(0), h, entry(1), 24);
        assertTrue(validate(f, reseal(h)).contains("outside the records of its segment"));
    }

    @Test
    void shouldRejectHintThatStopsShortOfItsSegment() {
        // A hint describing only the first two records of a three-record segment.
        Fixture f = three();
        int last = entry(2);
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
        int last = entry(2);
        // key length 0
        byte[] h = f.hint().clone();
        le(h).putShort(entry(0) + 18, (short) 0);
        assertMalformed(f, reseal(h), entry(0));
        // negative value length
        h = f.hint().clone();
        le(h).putInt(entry(0) + 12, -1);
        assertMalformed(f, reseal(h), entry(0));
        // unknown flag
        h = f.hint().clone();
        le(h).putShort(entry(0) + 16, (short) 8);
        assertMalformed(f, reseal(h), entry(0));
        // sequence not positive
        h = f.hint().clone();
        le(h).putLong(entry(0), 0);
        assertMalformed(f, reseal(h), entry(0));
        h = f.hint().clone();
        le(h).putLong(entry(1), Long.MIN_VALUE);
        assertMalformed(f, reseal(h), entry(1));
        // the same in the last entry, whose offset is the highest
        h = f.hint().clone();
        le(h).putShort(last + 18, (short) 0);
        assertMalformed(f, reseal(h), last);
        h = f.hint().clone();
        le(h).putShort(last + 16, (short) 0x8000);
        assertMalformed(f, reseal(h), last);
    }

    @Test
    void shouldRejectAnEntryHeaderRunningIntoTheFooter() {
        Fixture f = three();
        // Eight bytes of stray entry between the last entry and the footer: entries no longer tile the file.
        int footer = f.hint().length - 16;
        byte[] h = new byte[f.hint().length + 8];
        System.arraycopy(f.hint(), 0, h, 0, footer);
        System.arraycopy(f.hint(), footer, h, footer + 8, 16);
        le(h).putLong(footer, 1);
        String problem = validate(f, reseal(h));
        assertTrue(problem.contains("impossible size " + h.length), problem);
        // A whole stray entry of zeros before the footer: malformed (no key).
        h = new byte[f.hint().length + 24];
        System.arraycopy(f.hint(), 0, h, 0, footer);
        System.arraycopy(f.hint(), footer, h, footer + 24, 16);
        le(h).putLong(footer + 24, 4);
        assertMalformed(f, reseal(h), footer);
        // A copy of the last entry before the footer: it points at a record already described.
        System.arraycopy(f.hint(), entry(2), h, footer, 24);
        problem = validate(f, reseal(h));
        assertTrue(problem.contains("hint entry at " + footer + " points at offset " + f.offsets()[2]), problem);
    }

    @Test
    void shouldRejectRandomlyDamagedHintsThatStillHaveAValidCrc() {
        TestSeeds.run(0x48494E5444414D47L, random -> {
            Fixture f = three();
            // Damage only the fields that describe records; with the CRC resealed, only the structural checks remain.
            int[] entries = {entry(0), entry(1), entry(2)};
            for (int i = 0; i < 2000; i++) {
                byte[] h = f.hint().clone();
                int e = entries[random.nextInt(3)];
                int field = random.nextInt(3);
                switch (field) {
                    case 0 -> le(h).putInt(e + 8, le(h).getInt(e + 8) + 8 * (1 + random.nextInt(1000)));
                    case 1 -> le(h).putInt(e + 12, le(h).getInt(e + 12) + 8 * (1 + random.nextInt(1000)));
                    default -> le(h).putShort(e + 18, (short) (le(h).getShort(e + 18) + 8 * (1 + random.nextInt(100))));
                }
                assertNotNull(validate(f, reseal(h)), "damage #" + i + " of field " + field + " in entry at " + e);
            }
        });
    }

    private static void assertMalformed(Fixture f, byte[] h, int at) {
        String problem = validate(f, h);
        assertEquals("hint entry at " + at + " is malformed", problem);
    }
}
