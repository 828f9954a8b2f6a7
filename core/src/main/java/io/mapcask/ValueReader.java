package io.mapcask;

import java.lang.foreign.MemorySegment;

/**
 * Reads a value in place, for {@link Mapcask#get(byte[], ValueReader)}: the segment is a
 * read-only view of the mapped value, valid only during the call. Keep nothing that refers to
 * it; copy what must outlive the call. When compaction retires the segment under the call, the
 * read is retried and the reader called again with the value's new place, so it should have no
 * side effects besides its result.
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
