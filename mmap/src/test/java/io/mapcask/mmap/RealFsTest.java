package io.mapcask.mmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real file system: mappings and their lifetimes, preallocation (native and the
 * zero-writing fallback, the latter in a child JVM without native access), rename, delete,
 * list, directory sync and the directory lock.
 */
class RealFsTest {

    private static final Fs FS = RealFs.INSTANCE;
    private static final long CHILD_SIZE = (3L << 20) + 4096 + 8; // not a multiple of the 1 MiB zero chunk

    @TempDir
    Path dir;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldReadBackWhatWasWrittenThroughAMappingAndForced() throws IOException {
        long seed = System.nanoTime();
        byte[] bytes = new byte[3 * 4096 + 100];
        new Random(seed).nextBytes(bytes);
        Path file = dir.resolve("a.data");
        try (FileHandle h = FS.open(file, true)) {
            h.allocate(bytes.length);
            try (MappedRegion r = h.map(0, bytes.length, true)) {
                assertEquals(bytes.length, r.segment().byteSize());
                MemorySegment.copy(bytes, 0, r.segment(), ValueLayout.JAVA_BYTE, 0, bytes.length);
                r.force(0, 4096);
                r.force(4096, bytes.length - 4096);
                r.force(10, 0); // an empty range is a no-op
            }
            byte[] viaHandle = new byte[bytes.length];
            h.readFully(ByteBuffer.wrap(viaHandle), 0);
            assertArrayEquals(bytes, viaHandle, "seed " + seed);
        }
        assertArrayEquals(bytes, Files.readAllBytes(file), "seed " + seed);
        try (FileHandle h = FS.openReadOnly(file); MappedRegion r = h.map(0, bytes.length, false)) {
            assertArrayEquals(bytes, r.segment().toArray(ValueLayout.JAVA_BYTE), "seed " + seed);
            assertTrue(r.segment().isReadOnly());
        }
    }

    @Test
    void shouldMapARangeAtAnOffset() throws IOException {
        Path file = dir.resolve("b.data");
        try (FileHandle h = FS.open(file, true)) {
            h.allocate(3 * 4096);
            try (MappedRegion r = h.map(4096, 4096, true)) {
                r.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
                r.segment().set(ValueLayout.JAVA_BYTE, 4095, (byte) 43);
                r.force(0, 4096);
            }
        }
        byte[] b = Files.readAllBytes(file);
        assertEquals(3 * 4096, b.length);
        assertEquals(42, b[4096]);
        assertEquals(43, b[2 * 4096 - 1]);
        assertEquals(0, b[4095]);
        assertEquals(0, b[2 * 4096]);
    }

    @Test
    void shouldFaultInARangeForWritingWithoutChangingAByte() throws IOException {
        Path file = dir.resolve("p.data");
        long pages = 64;
        try (FileHandle h = FS.open(file, true)) {
            h.allocate(pages * 4096);
            try (MappedRegion r = h.map(0, pages * 4096, true)) {
                r.segment().set(ValueLayout.JAVA_BYTE, 4096, (byte) 7);
                assertEquals(1, ResidentPages.of(r.segment().asSlice(4096, 4096)), "the written page");
                assertEquals(0, ResidentPages.of(r.segment().asSlice(8 * 4096, 8 * 4096)), "untouched pages");
                r.populateForWrite(4096, 32 * 4096);
                assertEquals(32, ResidentPages.of(r.segment().asSlice(4096, 32 * 4096)), "populated pages");
                assertEquals(0, ResidentPages.of(r.segment().asSlice(33 * 4096, 31 * 4096)), "pages past the range");
                r.force(0, pages * 4096);
            }
        }
        byte[] b = Files.readAllBytes(file);
        assertEquals(pages * 4096, b.length);
        for (int i = 0; i < b.length; i++) {
            assertEquals(i == 4096 ? 7 : 0, b[i], "byte " + i);
        }
    }

    @Test
    void shouldKeepAMappingValidAfterItsFileHandleIsClosed() throws IOException {
        Path file = dir.resolve("c.data");
        MappedRegion region;
        try (FileHandle h = FS.open(file, true)) {
            h.allocate(8192);
            region = h.map(0, 8192, true);
        }
        MemorySegment s = region.segment();
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 100, 0x1122334455667788L);
        region.force(0, 8192);
        assertEquals(0x1122334455667788L, s.get(ValueLayout.JAVA_LONG_UNALIGNED, 100));
        region.close();
        byte[] b = Files.readAllBytes(file);
        assertEquals(0x1122334455667788L, MemorySegment.ofArray(b).get(ValueLayout.JAVA_LONG_UNALIGNED, 100));
    }

    @Test
    void shouldThrowIllegalStateExceptionOnAccessAfterTheRegionIsClosed() throws IOException {
        Path file = dir.resolve("d.data");
        MappedRegion region;
        try (FileHandle h = FS.open(file, true)) {
            h.allocate(4096);
            region = h.map(0, 4096, true);
        }
        MemorySegment s = region.segment();
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        region.close();
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> s.set(ValueLayout.JAVA_BYTE, 0, (byte) 2));
        assertThrows(IllegalStateException.class, () -> s.toArray(ValueLayout.JAVA_BYTE));
        region.close(); // idempotent
        assertEquals(1, Files.readAllBytes(file)[0]);
    }

    @Test
    void shouldRefuseAWritableMappingOfAReadOnlyHandle() throws IOException {
        Path file = dir.resolve("e.data");
        Files.write(file, new byte[4096]);
        try (FileHandle h = FS.openReadOnly(file)) {
            IOException e = assertThrows(IOException.class, () -> h.map(0, 4096, true));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    @Test
    void shouldGrowTheFileOnAllocateKeepingItsContent() throws IOException {
        Path file = dir.resolve("f.data");
        try (FileHandle h = FS.open(file, true)) {
            h.write(ByteBuffer.wrap(ascii("head")), 0);
            h.allocate(1 << 20);
            assertEquals(1 << 20, h.size());
            h.allocate(4096); // never shrinks
            assertEquals(1 << 20, h.size());
            h.allocate((1 << 20) + 1);
            assertEquals((1 << 20) + 1, h.size());
        }
        byte[] b = Files.readAllBytes(file);
        assertArrayEquals(ascii("head"), Arrays.copyOf(b, 4));
        for (int i = 4; i < b.length; i++) {
            if (b[i] != 0) {
                throw new AssertionError("byte " + i + " of the preallocated file is " + b[i]);
            }
        }
        assertTrue(allocatedBlocksBytes(file) >= 1 << 20,
                "the preallocated file is not sparse: " + allocatedBlocksBytes(file) + " bytes of blocks");
    }

    @Test
    void shouldFailAHugeAllocateWithAnIOExceptionNamingTheFile() throws IOException {
        Path file = dir.resolve("huge.data");
        try (FileHandle h = FS.open(file, true)) {
            IOException e = assertThrows(IOException.class, () -> h.allocate(1L << 50));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(h.size() < 1L << 30, "nothing like 2^50 bytes was written: " + h.size());
            // The handle stays usable.
            h.allocate(4096);
            assertEquals(4096, h.size());
        }
    }

    @Test
    void shouldWriteReadAndTruncate() throws IOException {
        Path file = dir.resolve("g.data");
        try (FileHandle h = FS.open(file, true)) {
            assertEquals(file, h.path());
            assertEquals(0, h.size());
            h.write(ByteBuffer.wrap(ascii("0123456789")), 0);
            h.write(ByteBuffer.wrap(ascii("abc")), 20);
            assertEquals(23, h.size());
            h.sync();
            byte[] b = new byte[3];
            h.readFully(ByteBuffer.wrap(b), 20);
            assertArrayEquals(ascii("abc"), b);
            EOFException eof = assertThrows(EOFException.class, () -> h.readFully(ByteBuffer.allocate(4), 21));
            assertTrue(eof.getMessage().contains(file.toString()), eof.getMessage());
            assertEquals(-1, h.read(ByteBuffer.allocate(1), 23));
            h.truncate(5);
            assertEquals(5, h.size());
            h.truncate(100);
            assertEquals(100, h.size());
            MemorySegment all = h.readAll();
            assertEquals(100, all.byteSize());
            assertArrayEquals(ascii("01234"), all.asSlice(0, 5).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, all.get(ValueLayout.JAVA_BYTE, 5), "bytes past a truncation read as zero after growing");
        }
        assertThrows(IOException.class, () -> FS.open(dir.resolve("missing"), false));
        assertThrows(IOException.class, () -> FS.openReadOnly(dir.resolve("missing")));
    }

    @Test
    void shouldReplaceTheTargetAtomicallyOnRename() throws IOException {
        Path tmp = dir.resolve("CURRENT.tmp");
        Path target = dir.resolve("CURRENT");
        Files.write(target, ascii("old"));
        Files.write(tmp, ascii("new content"));
        FS.rename(tmp, target);
        assertArrayEquals(ascii("new content"), Files.readAllBytes(target));
        assertFalse(FS.exists(tmp));
        assertEquals(List.of("CURRENT"), FS.list(dir));
        // Renaming onto a missing target works too.
        FS.rename(target, tmp);
        assertArrayEquals(ascii("new content"), Files.readAllBytes(tmp));
        assertFalse(FS.exists(target));
        assertThrows(IOException.class, () -> FS.rename(dir.resolve("missing"), target));
    }

    @Test
    void shouldFailALinkAcrossFileSystemsWithAnIOExceptionSoTheCallerCanCopy() throws IOException {
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm)
                && !Files.getFileStore(shm).equals(Files.getFileStore(dir)), "needs /dev/shm on another file system");
        Path file = dir.resolve("000001.data");
        Files.write(file, ascii("segment"));
        Path other = Files.createTempDirectory(shm, "mapcask-link-");
        try {
            IOException e = assertThrows(IOException.class, () -> FS.link(file, other.resolve("000001.data")));
            assertTrue(e.getMessage().contains("000001.data"), e.getMessage());
            assertEquals(List.of(), FS.list(other));
        } finally {
            Files.delete(other);
        }
    }

    @Test
    void shouldIgnoreDeleteOfAMissingFile() throws IOException {
        Path file = dir.resolve("h.data");
        FS.delete(file);
        Files.write(file, ascii("x"));
        assertTrue(FS.exists(file));
        FS.delete(file);
        assertFalse(FS.exists(file));
        FS.delete(file);
    }

    @Test
    void shouldListFileNamesNotPaths() throws IOException {
        assertEquals(List.of(), FS.list(dir));
        for (String name : List.of("000001.data", "000001.hint", "MANIFEST-000001", "CURRENT")) {
            Files.write(dir.resolve(name), new byte[1]);
        }
        Files.createDirectory(dir.resolve("sub"));
        List<String> names = new ArrayList<>(FS.list(dir));
        names.sort(null);
        assertEquals(List.of("000001.data", "000001.hint", "CURRENT", "MANIFEST-000001", "sub"), names);
        assertThrows(IOException.class, () -> FS.list(dir.resolve("missing")));
    }

    @Test
    void shouldCreateDirectoriesAndSyncThem() throws IOException {
        Path nested = dir.resolve("a").resolve("b").resolve("c");
        assertFalse(FS.exists(nested));
        FS.createDirectories(nested);
        assertTrue(FS.isDirectory(nested));
        FS.createDirectories(nested); // no-op when it exists
        Files.write(nested.resolve("x"), new byte[1]);
        FS.syncDirectory(nested);
        FS.syncDirectory(dir);
        assertFalse(FS.isDirectory(nested.resolve("x")));
        assertTrue(FS.exists(nested.resolve("x")));
    }

    @Test
    void shouldRefuseASecondLockInTheSameJvmNamingTheFile() throws IOException {
        Path lockFile = dir.resolve("LOCK");
        DirectoryLock first = FS.lock(lockFile);
        try {
            assertTrue(Files.exists(lockFile), "the lock file is created");
            FileLockedException e = assertThrows(FileLockedException.class, () -> FS.lock(lockFile));
            assertEquals(lockFile, e.lockFile());
            assertTrue(e.getMessage().contains(lockFile.toString()), e.getMessage());
            // Still refused: the failed attempt did not disturb the holder.
            assertThrows(FileLockedException.class, () -> FS.lock(lockFile));
        } finally {
            first.close();
        }
        DirectoryLock again = FS.lock(lockFile);
        try {
            assertThrows(FileLockedException.class, () -> FS.lock(lockFile));
        } finally {
            again.close();
        }
        FS.lock(lockFile).close();
    }

    @Test
    void shouldLockDifferentFilesIndependently() throws IOException {
        DirectoryLock a = FS.lock(dir.resolve("LOCK-a"));
        DirectoryLock b = FS.lock(dir.resolve("LOCK-b"));
        try {
            assertThrows(FileLockedException.class, () -> FS.lock(dir.resolve("LOCK-a")));
            assertThrows(FileLockedException.class, () -> FS.lock(dir.resolve("LOCK-b")));
        } finally {
            b.close();
            a.close();
        }
    }

    // ---------------------------------------------------------------- child JVMs

    /** What a child JVM running {@link PreallocateMain} printed. */
    private record Child(int exitCode, String stdout, String stderr) {
    }

    private Child runChild(Path childDir, boolean nativeAccess) throws IOException, InterruptedException {
        Files.createDirectories(childDir);
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1"));
        if (nativeAccess) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PreallocateMain.class.getName(),
                childDir.toString(), Long.toString(CHILD_SIZE)));
        Path out = dir.resolve(childDir.getFileName() + ".out");
        Path err = dir.resolve(childDir.getFileName() + ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        // Options from the environment would make the child JVM print "Picked up ..." on stderr.
        pb.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish in 60 s: " + command);
        }
        return new Child(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void shouldPreallocateByWritingZerosWithoutNativeAccessAndSaySoOnce() throws Exception {
        Path childDir = dir.resolve("no-native");
        Child c = runChild(childDir, false);
        String all = "stdout:\n" + c.stdout() + "\nstderr:\n" + c.stderr();
        assertEquals(0, c.exitCode(), all);
        assertTrue(c.stdout().contains("first.data " + CHILD_SIZE + "\n"), all);
        assertTrue(c.stdout().contains("second.data " + CHILD_SIZE / 2 + "\n"), all);
        assertTrue(c.stdout().contains("native false"), all);
        assertEquals(CHILD_SIZE, Files.size(childDir.resolve("first.data")));
        assertEquals(CHILD_SIZE / 2, Files.size(childDir.resolve("second.data")));
        byte[] b = Files.readAllBytes(childDir.resolve("first.data"));
        for (int i = 0; i < b.length; i++) {
            if (b[i] != 0) {
                throw new AssertionError("byte " + i + " of the zero-filled file is " + b[i]);
            }
        }
        assertTrue(allocatedBlocksBytes(childDir.resolve("first.data")) >= CHILD_SIZE,
                "zeros were written, not a sparse file: " + allocatedBlocksBytes(childDir.resolve("first.data")));
        // The impossible allocation fails at once, naming the file, instead of filling the disk with zeros.
        assertTrue(c.stdout().contains("huge failed: " + childDir.resolve("huge.data")), all);
        assertEquals(0, Files.size(childDir.resolve("huge.data")));
        // One INFO message through System.Logger (java.util.logging prints it on stderr), naming the flag.
        assertEquals(1, count(c.stderr(), "--enable-native-access=ALL-UNNAMED"), all);
        assertEquals(1, count(c.stderr(), "INFO"), all);
        assertEquals(1, count(c.stderr(), "Mapcask preallocates segments by writing zeros"), all);
    }

    @Test
    void shouldPrintNothingOnStderrWithNativeAccess() throws Exception {
        Path childDir = dir.resolve("native");
        Child c = runChild(childDir, true);
        String all = "stdout:\n" + c.stdout() + "\nstderr:\n" + c.stderr();
        assertEquals(0, c.exitCode(), all);
        assertEquals("", c.stderr(), all);
        assertTrue(c.stdout().contains("native true"), all);
        assertTrue(c.stdout().contains("first.data " + CHILD_SIZE + "\n"), all);
        assertEquals(CHILD_SIZE, Files.size(childDir.resolve("first.data")));
        assertEquals(CHILD_SIZE / 2, Files.size(childDir.resolve("second.data")));
        assertTrue(c.stdout().contains("huge failed: " + childDir.resolve("huge.data")), all);
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** Bytes of disk blocks the file occupies ({@code stat %b * %B}), or Long.MAX_VALUE when stat is unavailable. */
    private static long allocatedBlocksBytes(Path file) throws IOException {
        try {
            Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Long.MAX_VALUE;
            }
            String[] parts = out.split(" ");
            return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
        } catch (IOException | NumberFormatException e) {
            return Long.MAX_VALUE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Long.MAX_VALUE;
        }
    }
}
