package io.mapcask.mmap;

import static java.nio.charset.StandardCharsets.UTF_8;
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
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The basic contract of {@link Fs} that every implementation must meet, so that {@link SimFs}
 * behaves like {@link RealFs} for everything the engine relies on. Subclasses supply the file
 * system and an empty directory.
 */
abstract class FsConformanceTest {

    protected Fs fs;
    protected Path dir;

    /** A fresh file system and an existing, empty directory in it. */
    protected abstract Fs newFs() throws IOException;

    protected abstract Path newDir() throws IOException;

    @BeforeEach
    void setUp() throws IOException {
        fs = newFs();
        dir = newDir();
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(UTF_8));
    }

    static String string(MemorySegment seg) {
        return new String(seg.toArray(ValueLayout.JAVA_BYTE), UTF_8);
    }

    String readString(Path file) throws IOException {
        try (FileHandle h = fs.openReadOnly(file)) {
            return string(h.readAll());
        }
    }

    @Test
    void writeThenReadBack() throws IOException {
        Path f = dir.resolve("a");
        try (FileHandle h = fs.open(f, true)) {
            assertEquals(0, h.size());
            ByteBuffer src = bytes("hello world");
            h.write(src, 0);
            assertEquals(0, src.remaining(), "write consumes the buffer");
            assertEquals(11, h.size());
            h.write(bytes("W"), 6);
            ByteBuffer dst = ByteBuffer.allocate(20);
            assertEquals(11, h.read(dst, 0));
            assertEquals("hello World", new String(dst.array(), 0, 11, UTF_8));
            assertEquals(-1, h.read(ByteBuffer.allocate(4), 11), "read at end of file");
            ByteBuffer part = ByteBuffer.allocate(3);
            h.readFully(part, 2);
            assertEquals("llo", new String(part.array(), UTF_8));
            assertThrows(EOFException.class, () -> h.readFully(ByteBuffer.allocate(5), 8));
            h.sync();
        }
        assertEquals("hello World", readString(f));
    }

    @Test
    void writePastEndLeavesZeroGap() throws IOException {
        Path f = dir.resolve("gap");
        try (FileHandle h = fs.open(f, true)) {
            h.write(bytes("ab"), 0);
            h.write(bytes("cd"), 10);
            assertEquals(12, h.size());
            byte[] all = h.readAll().toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(new byte[] {'a', 'b', 0, 0, 0, 0, 0, 0, 0, 0, 'c', 'd'}, all);
        }
    }

    @Test
    void openMissingFails() throws IOException {
        Path f = dir.resolve("missing");
        assertThrows(NoSuchFileException.class, () -> fs.open(f, false));
        assertThrows(NoSuchFileException.class, () -> fs.openReadOnly(f));
        assertThrows(NoSuchFileException.class, () -> fs.open(dir.resolve("nodir").resolve("x"), true));
        assertFalse(fs.exists(f));
    }

    @Test
    void reopenSeesContentAndCreateKeepsIt() throws IOException {
        Path f = dir.resolve("a");
        try (FileHandle h = fs.open(f, true)) {
            h.write(bytes("data"), 0);
        }
        try (FileHandle h = fs.open(f, true)) {
            assertEquals(4, h.size(), "open with create does not truncate");
        }
        assertEquals("data", readString(f));
    }

    @Test
    void readOnlyHandleRefusesWrites() throws IOException {
        Path f = dir.resolve("ro");
        try (FileHandle h = fs.open(f, true)) {
            h.write(bytes("x"), 0);
        }
        try (FileHandle h = fs.openReadOnly(f)) {
            assertThrows(NonWritableChannelException.class, () -> h.write(bytes("y"), 0));
            assertThrows(IOException.class, () -> h.map(0, 1, true));
            try (MappedRegion r = h.map(0, 1, false)) {
                assertEquals('x', r.segment().get(ValueLayout.JAVA_BYTE, 0));
                assertThrows(IllegalArgumentException.class, () -> r.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
            }
        }
    }

    @Test
    void closedHandleRefusesOps() throws IOException {
        FileHandle h = fs.open(dir.resolve("c"), true);
        h.close();
        h.close(); // idempotent
        assertThrows(ClosedChannelException.class, h::size);
        assertThrows(ClosedChannelException.class, () -> h.write(bytes("x"), 0));
    }

    @Test
    void allocateGrowsWithZeros() throws IOException {
        Path f = dir.resolve("seg");
        try (FileHandle h = fs.open(f, true)) {
            h.write(bytes("head"), 0);
            h.allocate(3 * 4096);
            assertEquals(3 * 4096, h.size());
            byte[] all = h.readAll().toArray(ValueLayout.JAVA_BYTE);
            assertEquals("head", new String(all, 0, 4, UTF_8));
            for (int i = 4; i < all.length; i++) {
                assertEquals(0, all[i], "byte " + i);
            }
            h.allocate(100);
            assertEquals(3 * 4096, h.size(), "allocate never shrinks");
        }
    }

    @Test
    void truncateShrinksAndGrowsWithZeros() throws IOException {
        Path f = dir.resolve("t");
        try (FileHandle h = fs.open(f, true)) {
            h.write(bytes("0123456789"), 0);
            h.truncate(4);
            assertEquals(4, h.size());
            h.truncate(8);
            assertEquals(8, h.size());
            assertArrayEquals(new byte[] {'0', '1', '2', '3', 0, 0, 0, 0}, h.readAll().toArray(ValueLayout.JAVA_BYTE));
            h.truncate(0);
            assertEquals(0, h.size());
        }
    }

    @Test
    void mappedWritesAreSeenByReadsAndWritesByMappings() throws IOException {
        Path f = dir.resolve("m");
        try (FileHandle h = fs.open(f, true)) {
            h.allocate(2 * 4096);
            try (MappedRegion r = h.map(0, 2 * 4096, true)) {
                MemorySegment s = r.segment();
                assertEquals(2 * 4096, s.byteSize());
                s.set(ValueLayout.JAVA_LONG, 4096, 0x1122334455667788L);
                ByteBuffer dst = ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder());
                h.readFully(dst, 4096);
                assertEquals(0x1122334455667788L, dst.getLong(0));
                h.write(bytes("Z"), 5);
                assertEquals('Z', s.get(ValueLayout.JAVA_BYTE, 5));
                r.force(4096, 8);
                r.force(0, 2 * 4096);
                r.force(0, 0);
                assertThrows(IndexOutOfBoundsException.class, () -> s.get(ValueLayout.JAVA_BYTE, 2 * 4096));
            }
            h.sync();
        }
    }

    @Test
    void mappingAtOffsetSeesThatPart() throws IOException {
        Path f = dir.resolve("off");
        try (FileHandle h = fs.open(f, true)) {
            h.allocate(3 * 4096);
            h.write(bytes("page1"), 4096);
            try (MappedRegion r = h.map(4096, 4096, false)) {
                assertEquals("page1", string(r.segment().asSlice(0, 5)));
            }
        }
    }

    @Test
    void mappingOutlivesHandleAndDiesWithClose() throws IOException {
        Path f = dir.resolve("m2");
        MappedRegion r;
        try (FileHandle h = fs.open(f, true)) {
            h.allocate(4096);
            r = h.map(0, 4096, true);
        }
        MemorySegment s = r.segment();
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) 'q');
        r.force(0, 1);
        assertEquals("q", readString(f).substring(0, 1));
        r.close();
        r.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void readOnlyMapPastEndFails() throws IOException {
        Path f = dir.resolve("short");
        try (FileHandle h = fs.open(f, true)) {
            h.write(bytes("abc"), 0);
        }
        try (FileHandle h = fs.openReadOnly(f)) {
            assertThrows(IOException.class, () -> h.map(0, 2 * 4096, false));
        }
    }

    @Test
    void renameReplacesAtomically() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        write(a, "new");
        write(b, "old");
        fs.rename(a, b);
        assertFalse(fs.exists(a));
        assertEquals("new", readString(b));
        fs.syncDirectory(dir);
        assertThrows(NoSuchFileException.class, () -> fs.rename(a, dir.resolve("c")));
        assertEquals(List.of("b"), sorted(fs.list(dir)));
    }

    @Test
    void renameKeepsOpenHandle() throws IOException {
        Path a = dir.resolve("a");
        try (FileHandle h = fs.open(a, true)) {
            h.write(bytes("1"), 0);
            fs.rename(a, dir.resolve("b"));
            h.write(bytes("2"), 1);
        }
        assertEquals("12", readString(dir.resolve("b")));
    }

    @Test
    void linkGivesTheSameContentsASecondNameThatOutlivesTheFirst() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        write(a, "shared");
        fs.link(a, b);
        assertEquals("shared", readString(b));
        try (FileHandle h = fs.open(a, false)) {
            h.write(bytes("S"), 0);
        }
        assertEquals("Shared", readString(b), "both names reach one file");
        fs.delete(a);
        assertFalse(fs.exists(a));
        assertEquals("Shared", readString(b));
        assertTrue(fs.list(dir).contains("b"));
    }

    @Test
    void linkRefusesAnExistingNameAndAMissingFile() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        write(a, "one");
        write(b, "two");
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> fs.link(a, b));
        assertEquals("two", readString(b), "the existing name is untouched");
        assertThrows(NoSuchFileException.class, () -> fs.link(dir.resolve("missing"), dir.resolve("c")));
        assertFalse(fs.exists(dir.resolve("c")));
    }

    @Test
    void deleteRemovesAndIsIdempotent() throws IOException {
        Path a = dir.resolve("a");
        write(a, "x");
        assertTrue(fs.exists(a));
        fs.delete(a);
        assertFalse(fs.exists(a));
        fs.delete(a);
        fs.syncDirectory(dir);
        assertEquals(List.of(), fs.list(dir));
    }

    @Test
    void deletedFileStaysReadableThroughOpenHandle() throws IOException {
        Path a = dir.resolve("a");
        write(a, "still here");
        try (FileHandle h = fs.openReadOnly(a)) {
            fs.delete(a);
            assertEquals("still here", string(h.readAll()));
        }
    }

    @Test
    void listAndDirectories() throws IOException {
        assertTrue(fs.isDirectory(dir));
        assertTrue(fs.exists(dir));
        Path sub = dir.resolve("x").resolve("y");
        fs.createDirectories(sub);
        fs.createDirectories(sub); // no-op
        assertTrue(fs.isDirectory(sub));
        write(dir.resolve("f1"), "1");
        write(dir.resolve("f2"), "2");
        assertEquals(List.of("f1", "f2", "x"), sorted(fs.list(dir)));
        assertEquals(List.of("y"), sorted(fs.list(dir.resolve("x"))));
        assertFalse(fs.isDirectory(dir.resolve("f1")));
        assertThrows(NoSuchFileException.class, () -> fs.list(dir.resolve("nope")));
        assertThrows(IOException.class, () -> fs.list(dir.resolve("f1")));
        assertThrows(IOException.class, () -> fs.createDirectories(dir.resolve("f1")));
        fs.syncDirectory(dir);
        fs.syncDirectory(sub);
    }

    @Test
    void lockIsExclusiveUntilClosed() throws IOException {
        Path lockFile = dir.resolve("LOCK");
        DirectoryLock lock = fs.lock(lockFile);
        assertTrue(fs.exists(lockFile), "lock creates the file");
        FileLockedException e = assertThrows(FileLockedException.class, () -> fs.lock(lockFile));
        assertEquals(lockFile, e.lockFile());
        lock.close();
        DirectoryLock again = fs.lock(lockFile);
        assertTrue(fs.exists(lockFile));
        again.close();
    }

    @Test
    void syncAndDirectorySyncSucceed() throws IOException {
        Path f = dir.resolve("s");
        try (FileHandle h = fs.open(f, true)) {
            h.write(bytes("x"), 0);
            h.sync();
        }
        fs.syncDirectory(dir);
        assertEquals("x", readString(f));
    }

    void write(Path f, String s) throws IOException {
        try (FileHandle h = fs.open(f, true)) {
            h.truncate(0);
            h.write(bytes(s), 0);
        }
    }

    static List<String> sorted(List<String> names) {
        List<String> l = new ArrayList<>(names);
        l.sort(null);
        return l;
    }
}
