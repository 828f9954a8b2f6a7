package io.mapcask;

import java.lang.foreign.MemorySegment;

/**
 * Reads a value in place, for {@link Mapcask#get(byte[], ValueReader)}: the segment is a
 * read-only view of the mapped value, valid only during the call. Keep nothing that refers to
 * it; copy what must outlive the call. The mapping stays while the call runs: a compaction's
 * retirement of the segment and {@link Mapcask#close()} wait for the reader to return, so it
 * should be quick, and must not itself close the store or run {@link Mapcask#compact()} (they
 * would wait for it).
 *
 * @param <T> what the reader makes of the value
 */
@FunctionalInterface
public interface ValueReader<T> {
    /**
     * @param value the value's bytes, read-only, valid only during this call
     * @return the result handed back by {@code get}
     */
    T read(MemorySegment value);
}
