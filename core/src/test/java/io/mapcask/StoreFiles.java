package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import io.mapcask.mmap.RealFs;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * What tests need to look at (and damage) the files of a store directory from outside the
 * engine: snapshots of the directory, byte edits, and the record / edit boundaries of data
 * segments and manifests, read with the format classes' own constants.
 */
final class StoreFiles {
    private StoreFiles() {
    }

    /** One file as a snapshot sees it. */
    record FileState(long size, long modifiedNanos, long contentCrc) {
    }

    /**
     * @return every entry of {@code dir} (recursively, relative names) with its size, mtime and
     *     a checksum of its content; directories have size -1 and checksum 0
     */
    static Map<String, FileState> snapshot(Path dir) {
        Map<String, FileState> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.equals(dir)) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                long mtime = a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
                if (a.isDirectory()) {
                    files.put(dir.relativize(p) + "/", new FileState(-1, mtime, 0));
                } else if (p.getFileName().toString().equals(FileNames.LOCK)) {
                    // Never open LOCK: closing any descriptor of it drops this process's lock on it.
                    files.put(dir.relativize(p).toString(), new FileState(a.size(), mtime, 0));
                } else {
                    CRC32C crc = new CRC32C();
                    crc.update(Files.readAllBytes(p));
                    files.put(dir.relativize(p).toString(), new FileState(a.size(), mtime, crc.getValue()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Asserts that nothing in {@code dir} was created, deleted, resized, rewritten or touched. */
    static void assertUnchanged(Map<String, FileState> before, Path dir, String what) {
        assertEquals(before, snapshot(dir), what + ": the directory changed (name -> size, mtime, content CRC)");
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} at {@code offset} of {@code file} (growing it when needed). */
    static void writeAt(Path file, long offset, byte[] bytes) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Inverts every bit of the byte at {@code offset}. */
    static void flipByte(Path file, long offset) {
        byte[] all = read(file);
        writeAt(file, offset, new byte[] {(byte) ~all[Math.toIntExact(offset)]});
    }

    static void truncate(Path file, long size) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the names in {@code dir} that match a glob, sorted */
    static List<Path> list(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(dir, glob)) {
            s.forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    /** @return the one live manifest (there is exactly one between operations) */
    static Path manifest(Path dir) {
        List<Path> m = list(dir, "MANIFEST-*");
        assertEquals(1, m.size(), "manifests in " + dir + ": " + m);
        return m.get(0);
    }

    /**
     * @return the offset of every record in the data segment {@code file}, from {@link
     *     SegmentHeader#DATA_START} to the first position that holds no intact record
     */
    static List<Long> recordOffsets(Path file) {
        return recordOffsets(MemorySegment.ofArray(read(file)));
    }

    /** @see #recordOffsets(Path) */
    static List<Long> recordOffsets(MemorySegment seg) {
        List<Long> offsets = new ArrayList<>();
        long off = SegmentHeader.DATA_START;
        while (off < seg.byteSize()) {
            long size = RecordFormat.check(seg, off, seg.byteSize());
            if (size <= 0) {
                break;
            }
            offsets.add(off);
            off += size;
        }
        offsets.add(off); // the end
        return offsets;
    }

    /** @return the durable mark in the header of the data segment {@code file} */
    static long durableMark(Path file) {
        return SegmentHeader.durableEnd(MemorySegment.ofArray(read(file)));
    }

    /** @return the live set as the manifest named by CURRENT records it (read only) */
    static LiveSet liveSet(Path dir) {
        try {
            return Manifest.replay(RealFs.INSTANCE, dir, CurrentFile.read(RealFs.INSTANCE, dir)).live();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the store's key-hash seed, from the header of the manifest named by CURRENT (read only) */
    static long hashSeed(Path dir) {
        try {
            return Manifest.replay(RealFs.INSTANCE, dir, CurrentFile.read(RealFs.INSTANCE, dir)).hashSeed();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the active data segment the manifest names, or null when it names none */
    static Path activeSegment(Path dir) {
        SegmentMeta active = liveSet(dir).active();
        return active == null ? null : FileNames.data(dir, active.id());
    }

    /** @return the offset of every edit record in the manifest {@code file}, then the end of the last intact one */
    static List<Long> manifestRecordOffsets(Path file) {
        ByteBuffer b = ByteBuffer.wrap(read(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Long> offsets = new ArrayList<>();
        long pos = Manifest.HEADER_SIZE;
        while (pos + Manifest.RECORD_HEADER_SIZE <= b.capacity()) {
            int length = b.getInt((int) pos + Manifest.RECORD_LENGTH);
            if (length <= 0 || pos + Manifest.RECORD_HEADER_SIZE + length > b.capacity()) {
                break;
            }
            offsets.add(pos);
            pos += Manifest.RECORD_HEADER_SIZE + length;
        }
        offsets.add(pos);
        return offsets;
    }
}
