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
 *
 * <p>A page whose first touch is a read maps the kernel's shared zero page; the first write
 * after that replaces it, and the replacement flushes the old translation from every CPU that
 * runs the process (an inter-processor interrupt, several microseconds). Hash tables read a slot
 * before they write it, so that was a tenth of a bulk load's time. A block of {@value
 * #POPULATE_MIN_BYTES} bytes or more therefore has its pages faulted in for writing by a
 * background thread ({@code MADV_POPULATE_WRITE}) right after it is mapped: the caller may use
 * the block at once, and the pages it reaches before that thread get there fault as before.
 */
public final class ZeroedMemory {
    /** Smallest block whose pages are populated in the background (smaller ones fill at once). */
    static final long POPULATE_MIN_BYTES = 4L << 20;

    private static final AtomicLong RESERVED = new AtomicLong();
    /** Cleared when the kernel refuses to populate, so that no more threads are started for it. */
    private static volatile boolean populateSupported = true;

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
        MemorySegment block = addr.reinterpret(bytes, Arena.ofAuto(), unreachable -> {
            PosixNative.unmapAnonymous(unreachable, bytes);
            RESERVED.addAndGet(-bytes);
        });
        if (bytes >= POPULATE_MIN_BYTES && populateSupported) {
            // the thread holds the block, so its arena cannot free the memory under the madvise
            Thread.ofPlatform().daemon().name("mapcask-populate").start(() -> {
                if (!PosixNative.populateWrite(block)) {
                    populateSupported = false;
                }
            });
        }
        return block;
    }

    /** @return bytes of anonymous memory handed out and not yet freed (arena fallbacks not counted) */
    public static long mappedBytes() {
        return RESERVED.get();
    }
}
