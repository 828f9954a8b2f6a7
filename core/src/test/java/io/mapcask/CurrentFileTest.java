package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.mmap.RealFs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the {@code CURRENT} layout documented in {@link CurrentFile} byte by byte, its
 * replacement through a temp file, and that {@link CurrentFile#read} refuses each kind of bad
 * file with the file and the offset of the damage.
 */
class CurrentFileTest {

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

    private Path current() {
        return dir.resolve("CURRENT");
    }

    private MapcaskCorruptionException rejected(byte[] content) throws IOException {
        Files.write(current(), content);
        MapcaskCorruptionException e = assertThrows(MapcaskCorruptionException.class,
                () -> CurrentFile.read(RealFs.INSTANCE, dir));
        assertEquals(current(), e.file());
        assertTrue(e.getMessage().contains(current().toString()), e.getMessage());
        return e;
    }

    @Test
    void shouldPlaceEveryFieldAtItsDocumentedOffset() {
        assertEquals(0, CurrentFile.MAGIC_OFFSET);
        assertEquals(8, CurrentFile.VERSION_OFFSET);
        assertEquals(16, CurrentFile.MANIFEST_NUMBER_OFFSET);
        assertEquals(24, CurrentFile.CRC_OFFSET);
        assertEquals(32, CurrentFile.SIZE);
        byte[] b = CurrentFile.encode(0x0807060504030201L);
        assertEquals(32, b.length);
        ByteBuffer le = le(b);
        assertArrayEquals("MCSKCURR".getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(b, 0, 8), "magic");
        assertEquals(1, le.getInt(8), "version");
        assertEquals(0, le.getInt(12), "reserved");
        assertEquals(0x0807060504030201L, le.getLong(16), "manifestNumber");
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, Arrays.copyOfRange(b, 16, 24), "little-endian");
        assertEquals(crc32c(b, 0, 24), le.getInt(24), "crc covers [0, 24)");
        assertEquals(0, le.getInt(28), "reserved");
    }

    @Test
    void shouldWriteThroughATempFileAndReadBack() throws IOException {
        CurrentFile.write(RealFs.INSTANCE, dir, 7);
        assertArrayEquals(CurrentFile.encode(7), Files.readAllBytes(current()));
        assertEquals(List.of("CURRENT"), RealFs.INSTANCE.list(dir), "no CURRENT.tmp is left behind");
        assertEquals(7, CurrentFile.read(RealFs.INSTANCE, dir));
        assertEquals("MANIFEST-000007", FileNames.manifest(7));
    }

    @Test
    void shouldReplaceAnExistingCurrent() throws IOException {
        CurrentFile.write(RealFs.INSTANCE, dir, 1);
        CurrentFile.write(RealFs.INSTANCE, dir, 1_234_567);
        assertEquals(1_234_567, CurrentFile.read(RealFs.INSTANCE, dir));
        assertEquals("MANIFEST-1234567", FileNames.manifest(1_234_567));
        assertFalse(Files.exists(dir.resolve("CURRENT.tmp")));
    }

    @Test
    void shouldReplaceAStaleTempFileLongerThanTheNewContent() throws IOException {
        byte[] stale = new byte[100];
        Arrays.fill(stale, (byte) 0x55);
        Files.write(dir.resolve("CURRENT.tmp"), stale);
        CurrentFile.write(RealFs.INSTANCE, dir, 3);
        assertArrayEquals(CurrentFile.encode(3), Files.readAllBytes(current()));
    }

    @Test
    void shouldReadBackRandomManifestNumbers() throws IOException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 20; i++) {
            long n = 1 + (random.nextLong() >>> 1) % Long.MAX_VALUE;
            CurrentFile.write(RealFs.INSTANCE, dir, n);
            assertEquals(n, CurrentFile.read(RealFs.INSTANCE, dir), "seed " + seed);
        }
    }

    @Test
    void shouldRejectAFileOfAnotherSize() throws IOException {
        byte[] good = CurrentFile.encode(5);
        for (int size : new int[] {0, 1, 24, 31, 33, 64}) {
            MapcaskCorruptionException e = rejected(Arrays.copyOf(good, size));
            assertEquals(0, e.offset());
            assertTrue(e.getMessage().contains("has " + size + " bytes, expected 32"), e.getMessage());
        }
    }

    @Test
    void shouldRejectABadMagicNamingWhatItFound() throws IOException {
        byte[] b = CurrentFile.encode(5);
        b[7] = 'X';
        MapcaskCorruptionException e = rejected(b);
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("'MCSKCURX'") && e.getMessage().contains("'MCSKCURR'"), e.getMessage());
    }

    @Test
    void shouldRejectAnotherVersionNamingFoundAndSupported() throws IOException {
        byte[] b = CurrentFile.encode(5);
        le(b).putInt(8, 3);
        le(b).putInt(24, crc32c(b, 0, 24));
        MapcaskCorruptionException e = rejected(b);
        assertEquals(8, e.offset());
        assertTrue(e.getMessage().contains("version 3") && e.getMessage().contains("supported: 1"), e.getMessage());
    }

    @Test
    void shouldRejectEveryFlippedBitOfTheCoveredBytes() throws IOException {
        byte[] good = CurrentFile.encode(5);
        for (int i = 0; i < 28; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = good.clone();
                b[i] ^= (byte) (1 << bit);
                MapcaskCorruptionException e = rejected(b);
                long expected = i < 8 ? 0 : i < 12 ? 8 : 24;
                assertEquals(expected, e.offset(), "flip of bit " + bit + " of byte " + i);
                if (expected == 24) {
                    assertTrue(e.getMessage().contains("CRC mismatch"), e.getMessage());
                }
            }
        }
    }

    @Test
    void shouldRejectAManifestNumberThatIsNotPositive() throws IOException {
        for (long n : new long[] {0, -1, Long.MIN_VALUE}) {
            MapcaskCorruptionException e = rejected(CurrentFile.encode(n));
            assertEquals(16, e.offset());
            assertTrue(e.getMessage().contains("manifest number " + n), e.getMessage());
        }
    }

    @Test
    void shouldFailWithTheFileNameWhenCurrentIsMissing() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> CurrentFile.read(RealFs.INSTANCE, dir));
        assertTrue(e.getMessage().contains("CURRENT"), e.getMessage());
    }
}
