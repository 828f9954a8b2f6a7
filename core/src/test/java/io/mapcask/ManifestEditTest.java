package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * Checks the manifest edit layout documented in {@link ManifestEdit} byte by byte and its
 * decoder's refusals, and the framing of {@code MANIFEST-<n>} documented in {@link Manifest}:
 * file header, per-record length and CRC, a torn last edit ignored, a damaged edit followed by
 * more edits reported as corruption with file and offset.
 */
class ManifestEditTest {

    private static final Path FILE = Path.of("store", "MANIFEST-000003");
    /** All eight bytes distinct and the top bit set, so that a truncated or big-endian seed shows. */
    private static final long HASH_SEED = 0xF1E2_D3C4_B5A6_9788L;

    @TempDir
    Path dir;

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int crc32c(byte[] b, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(b, from, to - from);
        return (int) c.getValue();
    }

    private static byte[] encode(ManifestEdit e) {
        byte[] b = new byte[e.encodedSize()];
        e.encode(MemorySegment.ofArray(b), 0);
        return b;
    }

    private static ManifestEdit decode(byte[] b) {
        return ManifestEdit.decode(MemorySegment.ofArray(b), 0, b.length, FILE);
    }

    private static MapcaskCorruptionException rejected(byte[] b) {
        return assertThrows(MapcaskCorruptionException.class, () -> decode(b));
    }

    private static final ManifestEdit SAMPLE = new ManifestEdit(0x0102030405060708L, 0x1112131415161718L,
            List.of(3L, 4L), List.of(SegmentMeta.active(9), new SegmentMeta(7, true, 8192, 10, 20)));

    // ---------------------------------------------------------------- edit layout

    @Test
    void shouldPlaceEveryFixedFieldAtItsDocumentedOffset() {
        assertEquals(0, ManifestEdit.NEXT_ID_OFFSET);
        assertEquals(8, ManifestEdit.LAST_SEQUENCE_OFFSET);
        assertEquals(16, ManifestEdit.REMOVED_COUNT_OFFSET);
        assertEquals(20, ManifestEdit.ADDED_COUNT_OFFSET);
        assertEquals(24, ManifestEdit.FIXED_SIZE);
        byte[] b = encode(SAMPLE);
        assertEquals(24 + 2 * 8 + 2 * 40, b.length);
        assertEquals(b.length, SAMPLE.encodedSize());
        ByteBuffer le = le(b);
        assertEquals(0x0102030405060708L, le.getLong(0), "nextSegmentId");
        assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, Arrays.copyOfRange(b, 0, 8), "little-endian");
        assertEquals(0x1112131415161718L, le.getLong(8), "lastSequence");
        assertEquals(2, le.getInt(16), "removedCount");
        assertEquals(2, le.getInt(20), "addedCount");
        assertEquals(3, le.getLong(24), "removed id 0");
        assertEquals(4, le.getLong(32), "removed id 1");
    }

    @Test
    void shouldPlaceEveryAddedEntryFieldAtItsDocumentedOffset() {
        assertEquals(0, ManifestEdit.ADDED_ID);
        assertEquals(8, ManifestEdit.ADDED_STATE);
        assertEquals(16, ManifestEdit.ADDED_LENGTH);
        assertEquals(24, ManifestEdit.ADDED_MIN_SEQUENCE);
        assertEquals(32, ManifestEdit.ADDED_MAX_SEQUENCE);
        assertEquals(40, ManifestEdit.ADDED_ENTRY_SIZE);
        byte[] b = encode(SAMPLE);
        ByteBuffer le = le(b);
        int active = 24 + 2 * 8;
        assertEquals(9, le.getLong(active), "id");
        assertEquals(1, le.getInt(active + 8), "state 1 = active");
        assertEquals(0, le.getInt(active + 12), "reserved");
        assertEquals(0, le.getLong(active + 16), "an active segment has length 0");
        assertEquals(0, le.getLong(active + 24), "minSequence");
        assertEquals(0, le.getLong(active + 32), "maxSequence");
        int sealed = active + 40;
        assertEquals(7, le.getLong(sealed), "id");
        assertEquals(2, le.getInt(sealed + 8), "state 2 = sealed");
        assertEquals(0, le.getInt(sealed + 12), "reserved");
        assertEquals(8192, le.getLong(sealed + 16), "length");
        assertEquals(10, le.getLong(sealed + 24), "minSequence");
        assertEquals(20, le.getLong(sealed + 32), "maxSequence");
    }

    @Test
    void shouldDecodeWhatItEncoded() {
        assertEquals(SAMPLE, decode(encode(SAMPLE)));
        ManifestEdit empty = new ManifestEdit(1, 0, List.of(), List.of());
        assertEquals(24, encode(empty).length);
        assertEquals(empty, decode(encode(empty)));
    }

    @Test
    void shouldDecodeRandomEditsAtAnOffset() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 500; i++) {
            long nextId = 2 + random.nextInt(1_000_000);
            List<Long> removed = new ArrayList<>();
            for (int r = random.nextInt(5); r > 0; r--) {
                removed.add(random.nextLong());
            }
            List<SegmentMeta> added = new ArrayList<>();
            for (int a = random.nextInt(5); a > 0; a--) {
                long id = 1 + (long) random.nextInt((int) nextId - 1);
                if (random.nextBoolean()) {
                    added.add(SegmentMeta.active(id));
                } else {
                    long min = random.nextInt(1 << 20);
                    added.add(new SegmentMeta(id, true, 4096 + 8L * random.nextInt(1 << 20), min,
                            min + random.nextInt(1 << 20)));
                }
            }
            ManifestEdit e = new ManifestEdit(nextId, random.nextLong() >>> 1, removed, added);
            int at = 8 * random.nextInt(4);
            byte[] b = new byte[at + e.encodedSize() + 8];
            e.encode(MemorySegment.ofArray(b), at);
            assertEquals(e, ManifestEdit.decode(MemorySegment.ofArray(b), at, e.encodedSize(), FILE),
                    "edit #" + i + " (seed " + seed + ")");
        }
    }

    // ---------------------------------------------------------------- edit refusals

    @Test
    void shouldRejectAnEditShorterThanItsFixedPart() {
        for (int len = 0; len < 24; len++) {
            int n = len;
            MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class,
                    () -> ManifestEdit.decode(MemorySegment.ofArray(new byte[64]), 8, n, FILE));
            assertEquals(FILE, e.file());
            assertEquals(8, e.offset());
            assertTrue(e.getMessage().contains(len + " bytes is too short"), e.getMessage());
        }
    }

    @Test
    void shouldRejectCountsNotMatchingTheLength() {
        byte[] b = encode(SAMPLE);
        for (int[] counts : new int[][] {{1, 2}, {3, 2}, {2, 1}, {2, 3}, {0, 0}, {-1, 2}, {2, -1}, {-1, -1}}) {
            byte[] c = b.clone();
            le(c).putInt(16, counts[0]);
            le(c).putInt(20, counts[1]);
            MapcaskCorruptionException e = rejected(c);
            assertEquals(0, e.offset());
            assertTrue(e.getMessage().contains("do not match its length " + b.length), e.getMessage());
            // Counts are unsigned: -1 is 4294967295, and nothing is allocated for it.
            if (counts[0] == -1) {
                assertTrue(e.getMessage().contains("4294967295 removed"), e.getMessage());
            }
        }
        // A length that is not what the counts need, with the counts unchanged.
        MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class,
                () -> ManifestEdit.decode(MemorySegment.ofArray(Arrays.copyOf(b, b.length + 8)), 0, b.length + 8, FILE));
        assertTrue(e.getMessage().contains("(2 removed, 2 added)"), e.getMessage());
    }

    @Test
    void shouldRejectANextSegmentIdOrLastSequenceOutOfRange() {
        for (long nextId : new long[] {0, -1, Long.MIN_VALUE}) {
            byte[] b = encode(new ManifestEdit(1, 0, List.of(), List.of()));
            le(b).putLong(0, nextId);
            assertTrue(rejected(b).getMessage().contains("nextSegmentId " + nextId));
        }
        byte[] b = encode(new ManifestEdit(1, 0, List.of(), List.of()));
        le(b).putLong(8, -1);
        assertTrue(rejected(b).getMessage().contains("lastSequence -1"));
    }

    @Test
    void shouldRejectImpossibleAddedSegments() {
        int sealed = 24 + 2 * 8 + 40;
        int active = 24 + 2 * 8;
        // {entry offset, field offset in the entry, field size, bad value}
        long[][] cases = {
            {sealed, 0, 8, 0},                                  // id 0
            {sealed, 0, 8, -5},                                 // negative id
            {sealed, 0, 8, 0x0102030405060708L},                // id == nextSegmentId
            {sealed, 0, 8, Long.MAX_VALUE},                     // id past nextSegmentId
            {sealed, 8, 4, 0},                                  // unknown state
            {sealed, 8, 4, 3},                                  // unknown state
            {sealed, 16, 8, 4088},                              // sealed shorter than its header
            {sealed, 16, 8, 8196},                              // sealed length not a multiple of 8
            {sealed, 16, 8, MapcaskConfig.SEGMENT_SIZE_MAX_BYTES + 8}, // longer than any segment
            {sealed, 16, 8, -8},                                // negative length
            {active, 16, 8, 4096},                              // an active segment with a length
            {sealed, 24, 8, -1},                                // negative minSequence
            {sealed, 32, 8, 9},                                 // maxSequence below minSequence
        };
        for (long[] c : cases) {
            byte[] b = encode(SAMPLE);
            int at = (int) (c[0] + c[1]);
            if (c[2] == 8) {
                le(b).putLong(at, c[3]);
            } else {
                le(b).putInt(at, (int) c[3]);
            }
            MapcaskCorruptionException e = rejected(b);
            assertEquals(FILE, e.file());
            assertEquals(c[0], e.offset(), "offset of the entry, for value " + c[3] + " at " + at);
            assertTrue(e.getMessage().contains("impossible segment"), e.getMessage());
        }
    }

    @Test
    void shouldAcceptTheBoundsOfAddedSegments() {
        ManifestEdit e = new ManifestEdit(10, 0, List.of(), List.of(
                new SegmentMeta(1, true, SegmentHeader.DATA_START, 0, 0),
                new SegmentMeta(9, true, MapcaskConfig.SEGMENT_SIZE_MAX_BYTES, 5, 5)));
        assertEquals(e, decode(encode(e)));
    }

    // ---------------------------------------------------------------- manifest file framing

    private static ManifestEdit snapshot() {
        return new ManifestEdit(3, 10, List.of(), List.of(new SegmentMeta(1, true, 8192, 1, 10),
                SegmentMeta.active(2)));
    }

    private static ManifestEdit seal2() {
        return new ManifestEdit(3, 20, List.of(), List.of(new SegmentMeta(2, true, 4096 + 640, 11, 20)));
    }

    private static ManifestEdit open3() {
        return new ManifestEdit(4, 20, List.of(), List.of(SegmentMeta.active(3)));
    }

    /** Writes MANIFEST-000001 with the snapshot, seal2 and open3 edits. @return the record offsets */
    private long[] writeThree() throws IOException {
        try (Manifest m = Manifest.create(RealFs.INSTANCE, dir, 1, snapshot(), HASH_SEED)) {
            long first = Manifest.HEADER_SIZE;
            long second = m.size();
            m.append(seal2());
            long third = m.size();
            m.append(open3());
            return new long[] {first, second, third, m.size()};
        }
    }

    private Path manifest1() {
        return dir.resolve("MANIFEST-000001");
    }

    private Manifest.Replay replay() throws IOException {
        return Manifest.replay(RealFs.INSTANCE, dir, 1);
    }

    @Test
    void shouldWriteTheFileHeaderAndLengthCrcFramedRecords() throws IOException {
        assertEquals(0, Manifest.MAGIC_OFFSET);
        assertEquals(8, Manifest.VERSION_OFFSET);
        assertEquals(16, Manifest.HASH_SEED_OFFSET);
        assertEquals(24, Manifest.HEADER_SIZE);
        assertEquals(0, Manifest.RECORD_LENGTH);
        assertEquals(4, Manifest.RECORD_CRC);
        assertEquals(8, Manifest.RECORD_HEADER_SIZE);
        long[] at = writeThree();
        assertEquals("MANIFEST-000001", FileNames.manifest(1));
        byte[] b = Files.readAllBytes(manifest1());
        ByteBuffer le = le(b);
        assertArrayEquals("MCSKMANI".getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(b, 0, 8), "magic");
        assertEquals(1, le.getInt(8), "version");
        assertEquals(0, le.getInt(12), "reserved");
        assertEquals(HASH_SEED, le.getLong(16), "hashSeed");
        assertArrayEquals(new byte[] {(byte) 0x88, (byte) 0x97, (byte) 0xA6, (byte) 0xB5, (byte) 0xC4, (byte) 0xD3,
                (byte) 0xE2, (byte) 0xF1}, Arrays.copyOfRange(b, 16, 24), "hashSeed is little-endian, all 64 bits");
        assertEquals(24, at[0], "the first record follows the 24-byte header");
        ManifestEdit[] edits = {snapshot(), seal2(), open3()};
        for (int i = 0; i < 3; i++) {
            int pos = (int) at[i];
            int n = edits[i].encodedSize();
            assertEquals(n, le.getInt(pos), "record " + i + " length");
            assertEquals(pos + 8 + n, at[i + 1], "record " + i + " is followed by the next");
            assertEquals(crc32c(b, pos + 8, pos + 8 + n), le.getInt(pos + 4), "record " + i + " crc of the payload");
            assertArrayEquals(encode(edits[i]), Arrays.copyOfRange(b, pos + 8, pos + 8 + n), "record " + i + " payload");
            assertEquals(0, pos % 8, "records start at multiples of 8");
        }
        assertEquals(at[3], b.length);
    }

    @Test
    void shouldReplayEveryEditAndChangeNothingOnDisk() throws IOException {
        long[] at = writeThree();
        byte[] before = Files.readAllBytes(manifest1());
        Manifest.Replay r = replay();
        assertEquals(3, r.edits());
        assertFalse(r.tornTail());
        assertEquals(at[3], r.validEnd());
        assertEquals(4, r.live().nextSegmentId());
        assertEquals(20, r.live().lastSequence());
        assertEquals(new SegmentMeta(2, true, 4096 + 640, 11, 20), r.live().get(2));
        assertEquals(SegmentMeta.active(3), r.live().active());
        assertEquals(1, r.number());
        assertEquals(HASH_SEED, r.hashSeed(), "the replay reports the header's hash seed");
        assertArrayEquals(before, Files.readAllBytes(manifest1()));
    }

    @Test
    void shouldAppendAfterReopeningAtTheValidEnd() throws IOException {
        long[] at = writeThree();
        ManifestEdit remove1 = new ManifestEdit(4, 20, List.of(1L), List.of());
        try (Manifest m = Manifest.openForAppend(RealFs.INSTANCE, dir, replay())) {
            assertEquals(1, m.number());
            assertEquals(at[3], m.size(), "appends at the valid end");
            assertEquals(HASH_SEED, m.hashSeed(), "the reopened manifest keeps the store's hash seed");
            m.append(remove1);
        }
        Manifest.Replay r = replay();
        assertEquals(HASH_SEED, r.hashSeed(), "appending leaves the header alone");
        assertEquals(4, r.edits());
        assertNull(r.live().get(1));
        assertEquals(at[3] + 8 + remove1.encodedSize(), r.validEnd());
    }

    @Test
    void shouldReplayTheHashSeedEachManifestWasCreatedWith() throws IOException {
        long number = 0;
        for (long seed : new long[] {0, 1, -1, Long.MIN_VALUE, HASH_SEED, 0x0123_4567_89AB_CDEFL}) {
            number++;
            try (Manifest m = Manifest.create(RealFs.INSTANCE, dir, number, snapshot(), seed)) {
                assertEquals(seed, m.hashSeed());
                assertEquals(number, m.number());
            }
            byte[] b = Files.readAllBytes(dir.resolve(FileNames.manifest(number)));
            assertEquals(seed, le(b).getLong(16), "hashSeed " + seed + " at offset 16");
            Manifest.Replay r = Manifest.replay(RealFs.INSTANCE, dir, number);
            assertEquals(seed, r.hashSeed(), "replayed hashSeed " + seed);
        }
    }

    @Test
    void shouldCopyTheHashSeedIntoEveryRotatedManifest() throws IOException {
        writeThree();
        CurrentFile.write(RealFs.INSTANCE, dir, 1);
        Manifest.Replay r = replay();
        Manifest m = Manifest.openForAppend(RealFs.INSTANCE, dir, r);
        try {
            for (long number = 2; number <= 4; number++) {
                m = Store.rotateManifest(RealFs.INSTANCE, dir, m, r.live());
                assertEquals(number, m.number());
                assertEquals(HASH_SEED, m.hashSeed(), "MANIFEST-" + number);
                assertEquals(number, CurrentFile.read(RealFs.INSTANCE, dir));
                assertFalse(Files.exists(dir.resolve(FileNames.manifest(number - 1))), "the old manifest is deleted");
                byte[] b = Files.readAllBytes(dir.resolve(FileNames.manifest(number)));
                assertArrayEquals("MCSKMANI".getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(b, 0, 8));
                assertEquals(1, le(b).getInt(8), "version");
                assertEquals(0, le(b).getInt(12), "reserved");
                assertEquals(HASH_SEED, le(b).getLong(16), "the rotated manifest's header holds the same seed");
                Manifest.Replay rotated = Manifest.replay(RealFs.INSTANCE, dir, number);
                assertEquals(HASH_SEED, rotated.hashSeed());
                assertEquals(1, rotated.edits(), "a rotated manifest starts with one snapshot");
                assertEquals(List.copyOf(r.live().segments()), List.copyOf(rotated.live().segments()));
                assertEquals(r.live().nextSegmentId(), rotated.live().nextSegmentId());
                assertEquals(r.live().lastSequence(), rotated.live().lastSequence());
            }
        } finally {
            m.close();
        }
    }

    @Test
    void shouldIgnoreATornLastEditCutAnywhere() throws IOException {
        long[] at = writeThree();
        byte[] full = Files.readAllBytes(manifest1());
        for (long cut = at[2]; cut < at[3]; cut++) {
            Files.write(manifest1(), Arrays.copyOf(full, (int) cut));
            Manifest.Replay r = replay();
            assertEquals(2, r.edits(), "cut at " + cut);
            assertEquals(cut > at[2], r.tornTail(), "cut at " + cut);
            assertEquals(at[2], r.validEnd(), "cut at " + cut);
            assertTrue(r.live().get(2).sealed(), "the seal of segment 2 is replayed (cut at " + cut + ")");
            assertNull(r.live().active(), "the seal is replayed, the open of segment 3 is not (cut at " + cut + ")");
        }
    }

    @Test
    void shouldIgnoreATornLastEditFollowedByZeros() throws IOException {
        long[] at = writeThree();
        byte[] full = Files.readAllBytes(manifest1());
        // The file grew (its size reached the disk) but the pages of the last append did not.
        byte[] b = Arrays.copyOf(full, full.length + 4096);
        Arrays.fill(b, (int) at[2], b.length, (byte) 0);
        Files.write(manifest1(), b);
        Manifest.Replay r = replay();
        assertEquals(2, r.edits());
        assertTrue(r.tornTail());
        assertEquals(at[2], r.validEnd());
        // Zeros after intact edits are a torn (empty) tail too.
        Files.write(manifest1(), Arrays.copyOf(full, full.length + 64));
        r = replay();
        assertEquals(3, r.edits());
        assertTrue(r.tornTail());
        assertEquals(at[3], r.validEnd());
    }

    @Test
    void shouldIgnoreATornLastEditWhoseHeaderPageWasLost() throws IOException {
        long[] at = writeThree();
        byte[] b = Files.readAllBytes(manifest1());
        // The last append straddled a page boundary: the page with its header was lost, a later page of
        // its payload reached the disk.
        Arrays.fill(b, (int) at[2], (int) at[2] + 16, (byte) 0);
        Files.write(manifest1(), b);
        Manifest.Replay r = replay();
        assertEquals(2, r.edits());
        assertTrue(r.tornTail());
        assertEquals(at[2], r.validEnd());
    }

    @Test
    void shouldIgnoreATornLastEditOverwrittenWithGarbage() throws IOException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long[] at = writeThree();
        byte[] full = Files.readAllBytes(manifest1());
        for (int i = 0; i < 200; i++) {
            byte[] b = full.clone();
            byte[] garbage = new byte[(int) (at[3] - at[2])];
            random.nextBytes(garbage);
            if (random.nextBoolean()) {
                le(garbage).putInt(0, 8 * random.nextInt(8)); // a small length, so the garbage "fits"
            }
            System.arraycopy(garbage, 0, b, (int) at[2], garbage.length);
            Files.write(manifest1(), b);
            Manifest.Replay r = replay();
            assertEquals(2, r.edits(), "garbage #" + i + " (seed " + seed + ")");
            assertTrue(r.tornTail(), "garbage #" + i + " (seed " + seed + ")");
        }
    }

    @Test
    void shouldIgnoreALastEditWithABadCrc() throws IOException {
        long[] at = writeThree();
        byte[] b = Files.readAllBytes(manifest1());
        b[(int) at[2] + 8 + 3] ^= 0x40;
        Files.write(manifest1(), b);
        Manifest.Replay r = replay();
        assertEquals(2, r.edits());
        assertTrue(r.tornTail());
    }

    @Test
    void shouldRejectADamagedEditFollowedByMoreEditsNamingFileAndOffset() throws IOException {
        long[] at = writeThree();
        byte[] full = Files.readAllBytes(manifest1());
        // Every bit of the middle record, header included: the intact edit after it proves it is no torn tail.
        for (long i = at[1]; i < at[2]; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = full.clone();
                b[(int) i] ^= (byte) (1 << bit);
                Files.write(manifest1(), b);
                MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, this::replay,
                        "flip of bit " + bit + " of byte " + i);
                assertEquals(manifest1(), e.file());
                assertEquals(at[1], e.offset(), "flip of bit " + bit + " of byte " + i);
                assertTrue(e.getMessage().contains("followed by more data"), e.getMessage());
            }
        }
    }

    @Test
    void shouldRejectAnEditWhoseHeaderWasZeroedWhenMoreEditsFollow() throws IOException {
        long[] at = writeThree();
        byte[] b = Files.readAllBytes(manifest1());
        Arrays.fill(b, (int) at[1], (int) at[1] + 8, (byte) 0);
        Files.write(manifest1(), b);
        MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, this::replay);
        assertEquals(at[1], e.offset());
    }

    @Test
    void shouldRejectAnEditWithAnImpossibleLengthWhenMoreEditsFollow() throws IOException {
        long[] at = writeThree();
        byte[] full = Files.readAllBytes(manifest1());
        for (int length : new int[] {0, 7, 20, 1 << 30 | 8, 0x80000000 | 56, -1, 4096}) {
            byte[] b = full.clone();
            le(b).putInt((int) at[1], length);
            Files.write(manifest1(), b);
            MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, this::replay,
                    "length " + Integer.toUnsignedString(length));
            assertEquals(at[1], e.offset(), "length " + Integer.toUnsignedString(length));
        }
    }

    @Test
    void shouldRejectACrcValidEditThatMakesNoSense() throws IOException {
        writeThree();
        byte[] b = Files.readAllBytes(manifest1());
        ManifestEdit bad = new ManifestEdit(3, 10, List.of(), List.of(new SegmentMeta(5, true, 8192, 1, 1)));
        byte[] payload = encode(bad);
        byte[] file = Arrays.copyOf(b, 24 + 8 + payload.length);
        le(file).putInt(24, payload.length);
        le(file).putInt(28, crc32c(payload, 0, payload.length));
        System.arraycopy(payload, 0, file, 32, payload.length);
        Files.write(manifest1(), file);
        MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, this::replay);
        assertEquals(manifest1(), e.file());
        assertEquals(32 + 24, e.offset(), "the offset of the impossible entry in the file");
    }

    @Test
    void shouldRejectAnEditThatLeavesTwoActiveSegments() throws IOException {
        long[] at = writeThree();
        // Segment 2 is sealed, 3 active; a CRC-valid edit making 4 active as well is corruption, not an
        // IllegalStateException from deep inside recovery.
        try (Manifest m = Manifest.openForAppend(RealFs.INSTANCE, dir, replay())) {
            m.append(new ManifestEdit(5, 20, List.of(), List.of(SegmentMeta.active(4))));
        }
        MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, this::replay);
        assertEquals(manifest1(), e.file());
        assertEquals(at[3] + 8, e.offset());
        assertTrue(e.getMessage().contains("more than one active segment"), e.getMessage());
        // Replacing the active segment by another in one edit is fine.
        Files.write(manifest1(), Arrays.copyOf(Files.readAllBytes(manifest1()), (int) at[3]));
        try (Manifest m = Manifest.openForAppend(RealFs.INSTANCE, dir, replay())) {
            m.append(new ManifestEdit(5, 20, List.of(), List.of(new SegmentMeta(3, true, 4096, 0, 0),
                    SegmentMeta.active(4))));
        }
        assertEquals(SegmentMeta.active(4), replay().live().active());
    }

    @Test
    void shouldRejectAFirstEditThatIsNotASnapshot() throws IOException {
        try (Manifest m = Manifest.create(RealFs.INSTANCE, dir, 1, new ManifestEdit(3, 0, List.of(1L), List.of()),
                HASH_SEED)) {
            assertEquals(24 + 8 + 32, m.size());
        }
        MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, this::replay);
        assertEquals(32, e.offset());
        assertTrue(e.getMessage().contains("not a snapshot"), e.getMessage());
    }

    @Test
    void shouldRejectAManifestWithoutAnIntactEdit() throws IOException {
        long[] at = writeThree();
        byte[] full = Files.readAllBytes(manifest1());
        for (int len : new int[] {24, 25, 32, (int) at[1] - 1}) {
            Files.write(manifest1(), Arrays.copyOf(full, len));
            MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, this::replay, "length " + len);
            assertEquals(24, e.offset());
            assertTrue(e.getMessage().contains("no intact edit"), e.getMessage());
        }
    }

    @Test
    void shouldRejectAManifestShorterThanItsHeader() throws IOException {
        writeThree();
        byte[] full = Files.readAllBytes(manifest1());
        for (int len = 0; len < 24; len++) {
            Files.write(manifest1(), Arrays.copyOf(full, len));
            MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, this::replay, "length " + len);
            assertEquals(0, e.offset());
            assertTrue(e.getMessage().contains("no complete header"), e.getMessage());
        }
    }

    @Test
    void shouldRejectABadMagicNamingWhatItFound() throws IOException {
        writeThree();
        byte[] b = Files.readAllBytes(manifest1());
        System.arraycopy("MCSKDATA".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 8);
        Files.write(manifest1(), b);
        MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, this::replay);
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("'MCSKDATA'") && e.getMessage().contains("'MCSKMANI'"), e.getMessage());
    }

    @Test
    void shouldRejectAnotherVersionNamingFoundAndSupported() throws IOException {
        writeThree();
        byte[] b = Files.readAllBytes(manifest1());
        le(b).putInt(8, 2);
        Files.write(manifest1(), b);
        MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class, this::replay);
        assertEquals(manifest1(), e.file());
        assertEquals(8, e.offset());
        assertTrue(e.getMessage().contains("version 2") && e.getMessage().contains("supported: 1"), e.getMessage());
    }

    @Test
    void shouldRejectAMissingManifest() {
        MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class,
                () -> Manifest.replay(RealFs.INSTANCE, dir, 42));
        assertEquals(dir.resolve("MANIFEST-000042"), e.file());
        assertEquals(-1, e.offset());
    }
}
