package io.mapcask.mmap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/** The real file system: {@link FileChannel}s, shared-arena mappings, fsync and fallocate. */
public final class RealFs implements Fs {

    /** Zero-fill granularity of the fallocate fallback. */
    private static final int ZERO_CHUNK_BYTES = 1 << 20;

    public static final RealFs INSTANCE = new RealFs();

    private RealFs() {
    }

    /** True when preallocation uses posix_fallocate rather than writing zeros. */
    public static boolean nativePreallocation() {
        return PosixNative.available();
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public boolean isDirectory(Path path) {
        return Files.isDirectory(path);
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    @Override
    public FileHandle open(Path file, boolean create) throws IOException {
        FileChannel ch = create
                ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new RealFile(file, ch, true);
    }

    @Override
    public FileHandle openReadOnly(Path file) throws IOException {
        return new RealFile(file, FileChannel.open(file, StandardOpenOption.READ), false);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("atomic rename of " + from + " to " + to + " is not supported by this file system", e);
        }
    }

    @Override
    public void link(Path existing, Path link) throws IOException {
        try {
            Files.createLink(link, existing);
        } catch (UnsupportedOperationException e) {
            throw new IOException("cannot link " + link + " to " + existing + ": the file system has no hard links", e);
        }
    }

    @Override
    public void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        // On Linux, fsync of a directory descriptor makes its entries durable.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Lock files held by this JVM, by file identity (device and inode). A POSIX record lock
     * belongs to the process, and closing <em>any</em> descriptor of the file drops it (see
     * {@link FileLock}'s class comment): a second open of a held store in this JVM that opened
     * the lock file, met {@link OverlappingFileLockException} and closed its channel would let
     * another process in beside the first holder. So a holder in this JVM is detected here,
     * before a descriptor of the file is opened.
     */
    private static final Set<Object> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    @Override
    public DirectoryLock lock(Path lockFile) throws IOException {
        try {
            Files.createFile(lockFile); // O_EXCL: when the file exists no descriptor is left to close
        } catch (FileAlreadyExistsException held) {
            // ours, another process's or a leftover: told apart below
        }
        Object key = Files.readAttributes(lockFile, BasicFileAttributes.class).fileKey();
        if (key == null) {
            key = lockFile.toRealPath();
        }
        if (!HELD_IN_THIS_JVM.add(key)) {
            throw new FileLockedException(lockFile, "by another open instance in this JVM");
        }
        Object heldKey = key;
        FileChannel ch = null;
        FileLock lock;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = ch.tryLock();
            if (lock == null) {
                throw new FileLockedException(lockFile, "by another process");
            }
        } catch (OverlappingFileLockException e) {
            close(ch, e);
            HELD_IN_THIS_JVM.remove(heldKey);
            throw new FileLockedException(lockFile, "by another open instance in this JVM");
        } catch (IOException | RuntimeException e) {
            close(ch, e);
            HELD_IN_THIS_JVM.remove(heldKey);
            throw e;
        }
        FileChannel channel = ch;
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            try {
                lock.release();
            } finally {
                try {
                    channel.close();
                } finally {
                    HELD_IN_THIS_JVM.remove(heldKey);
                }
            }
        };
    }

    private static void close(FileChannel ch, Throwable primary) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                primary.addSuppressed(e);
            }
        }
    }

    private static final class RealFile implements FileHandle {
        private final Path path;
        private final FileChannel channel;
        private final boolean writable;

        RealFile(Path path, FileChannel channel, boolean writable) {
            this.path = path;
            this.channel = channel;
            this.writable = writable;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void allocate(long size) throws IOException {
            long current = channel.size();
            if (PosixNative.fallocate(path, 0, size)) {
                return;
            }
            // Fallback: real zeros allocate real blocks, so a full disk fails here, not in a mapped write.
            if (size <= current) {
                return;
            }
            // Refuse at once what cannot fit, rather than fill the disk with zeros before failing.
            long usable = Files.getFileStore(path).getUsableSpace();
            if (size - current > usable) {
                throw new IOException(path + ": cannot preallocate " + size + " bytes by writing zeros: "
                        + (size - current) + " more bytes are needed but the file system has " + usable
                        + " usable (ENOSPC: the disk is full)");
            }
            ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK_BYTES);
            long pos = current;
            try {
                while (pos < size) {
                    zeros.clear().limit((int) Math.min(ZERO_CHUNK_BYTES, size - pos));
                    write(zeros, pos);
                    pos += zeros.limit();
                }
            } catch (IOException e) {
                try {
                    channel.truncate(current);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw new IOException(path + ": preallocating " + size + " bytes by writing zeros failed at offset "
                        + pos + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            long current = channel.size();
            if (size < current) {
                channel.truncate(size);
            } else if (size > current) {
                ByteBuffer one = ByteBuffer.allocate(1);
                channel.write(one, size - 1);
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return channel.read(dst, position);
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            long pos = position;
            while (src.hasRemaining()) {
                pos += channel.write(src, pos);
            }
        }

        @Override
        public void sync() throws IOException {
            channel.force(true);
        }

        @Override
        public MappedRegion map(long position, long length, boolean write) throws IOException {
            if (write && !writable) {
                throw new IOException(path + ": opened read-only, cannot map for writing");
            }
            Arena arena = Arena.ofShared();
            try {
                MemorySegment seg = channel.map(write ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY,
                        position, length, arena);
                return new RealMapping(path, arena, seg);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw new IOException(path + ": cannot map " + length + " bytes at offset " + position
                        + " (check vm.max_map_count, ulimit -v and free disk space): " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static final class RealMapping implements MappedRegion {
        private final Path path;
        private final Arena arena;
        private final MemorySegment segment;
        private boolean closed;

        RealMapping(Path path, Arena arena, MemorySegment segment) {
            this.path = path;
            this.arena = arena;
            this.segment = segment;
        }

        @Override
        public MemorySegment segment() {
            return segment;
        }

        @Override
        public void force(long offset, long length) throws IOException {
            if (length <= 0) {
                return;
            }
            try {
                segment.asSlice(offset, length).force();
            } catch (java.io.UncheckedIOException e) {
                throw new IOException(path + ": msync of [" + offset + ", " + (offset + length) + ") failed", e.getCause());
            }
        }

        @Override
        public void populateForWrite(long offset, long length) {
            if (length > 0) {
                PosixNative.populateWrite(segment.asSlice(offset, length)); // a closed arena: refused, false
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                Arenas.closeWhenReleased(arena);
            }
        }
    }
}
