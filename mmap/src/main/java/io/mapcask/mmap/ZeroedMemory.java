package io.mapcask.mmap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Large zero-filled off-heap blocks, freed by the garbage collector once unreachable.
 *
 * <p>{@link Arena#allocate} zeroes every byte before it returns, which for a table of hundreds
 * of megabytes is a pause of its own. With native access, a block is instead private anonymous
 * memory ({@code mmap}): the kernel hands out zero pages on first touch, so the cost is spread
 * over the writes that fill the block. Without native access, it falls back to the arena.
 */
public final class ZeroedMemory {
    private static final AtomicLong RESERVED = new AtomicLong();

    private ZeroedMemory() {
    }

    /** @return {@code bytes} zero bytes, 8-byte aligned, freed after the last reference is dropped */
    @SuppressWarnings("restricted")
    public static MemorySegment allocate(long bytes) {
        MemorySegment addr = bytes > 0 ? PosixNative.mapAnonymous(bytes) : MemorySegment.NULL;
        if (addr.equals(MemorySegment.NULL)) {
            return Arena.ofAuto().allocate(bytes, 8);
        }
        RESERVED.addAndGet(bytes);
        return addr.reinterpret(bytes, Arena.ofAuto(), unreachable -> {
            PosixNative.unmapAnonymous(unreachable, bytes);
            RESERVED.addAndGet(-bytes);
        });
    }

    /** @return bytes of anonymous memory handed out and not yet freed (arena fallbacks not counted) */
    public static long mappedBytes() {
        return RESERVED.get();
    }
}
