package io.mapcask.mmap;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A mapped range of a file. Reads and writes go straight to {@link #segment()}; {@link
 * #force(long, long)} is the durability barrier for written bytes.
 *
 * <p>{@link #close()} unmaps at once, even while other threads read the segment: those reads
 * then fail with {@link IllegalStateException} (checked on JDK 25, DESIGN §10), and the reader,
 * not the closer, must retry through whatever told it where to read.
 */
public interface MappedRegion extends AutoCloseable {

    MemorySegment segment();

    /** Writes the dirty pages of {@code [offset, offset + length)} (relative to the region) to disk. */
    void force(long offset, long length) throws IOException;

    /**
     * Faults the pages of {@code [offset, offset + length)} in for writing now, so that the writes
     * to come take no page fault. A hint for a thread other than the writer's: it changes no byte
     * and no durability, and does nothing where it is not supported or the region is closed.
     */
    void populateForWrite(long offset, long length);

    /** Unmaps. Idempotent. */
    @Override
    void close();
}
