package io.mapcask.mmap;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** An open file. Not thread-safe except where a method says so. */
public interface FileHandle extends Closeable {

    Path path();

    long size() throws IOException;

    /**
     * Reserves disk blocks for {@code [0, size)} and grows the file to at least {@code size}, so
     * that later writes through a mapping cannot fail for lack of space (a mapped write into an
     * unallocated block on a full disk would raise SIGBUS). Fails with an {@link IOException}
     * naming the file when the space is not there.
     */
    void allocate(long size) throws IOException;

    /** Sets the file's size; bytes past it are lost, new bytes read as zero. */
    void truncate(long size) throws IOException;

    /** Reads up to {@code dst.remaining()} bytes at {@code position}; returns the count, -1 at end. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** Writes all of {@code src} at {@code position}. */
    void write(ByteBuffer src, long position) throws IOException;

    /** Makes the file's contents and size durable (fsync). */
    void sync() throws IOException;

    /**
     * Maps {@code [position, position + length)}. The mapping belongs to its own shared arena, is
     * readable from any thread, and stays valid after this handle is closed, until {@link
     * MappedRegion#close()}. The range must lie inside the allocated size.
     */
    MappedRegion map(long position, long length, boolean writable) throws IOException;

    /** Reads exactly {@code dst.remaining()} bytes at {@code position} or throws at end of file. */
    default void readFully(ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = read(dst, pos);
            if (n < 0) {
                throw new java.io.EOFException(path() + ": unexpected end of file at offset " + pos);
            }
            pos += n;
        }
    }

    /** A read-only copy of the whole file into a heap segment; meant for small files. */
    default MemorySegment readAll() throws IOException {
        long size = size();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException(path() + ": too large to read into memory (" + size + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        readFully(buf, 0);
        return MemorySegment.ofArray(buf.array());
    }
}
