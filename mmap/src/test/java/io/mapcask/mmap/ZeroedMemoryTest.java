package io.mapcask.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * {@link ZeroedMemory}: blocks are zero, writable, 8-byte aligned and of the asked size; with
 * native access (the test JVM has it) they are anonymous mappings, counted while reachable and
 * unmapped once the GC finds them unreachable.
 */
class ZeroedMemoryTest {

    @Test
    void shouldHandOutZeroedWritableAlignedBlocks() {
        long bytes = 64L << 20;
        MemorySegment block = ZeroedMemory.allocate(bytes);
        assertEquals(bytes, block.byteSize());
        assertEquals(0, block.address() % 8);
        for (long off = 0; off < bytes; off += 4096) {
            assertEquals(0L, block.get(ValueLayout.JAVA_LONG, off), "byte " + off);
        }
        block.set(ValueLayout.JAVA_LONG, bytes - 8, 0x0123_4567_89AB_CDEFL);
        assertEquals(0x0123_4567_89AB_CDEFL, block.get(ValueLayout.JAVA_LONG, bytes - 8));
    }

    @Test
    void shouldUnmapABlockOnceItIsUnreachable() throws InterruptedException {
        assertTrue(PosixNative.available(), "the test JVM runs with --enable-native-access");
        long bytes = 32L << 20;
        long before = collectedDownTo(); // blocks of the other test, once unreachable, go first
        MemorySegment block = ZeroedMemory.allocate(bytes);
        block.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        assertEquals(before + bytes, ZeroedMemory.mappedBytes(), "the block is counted while reachable");
        block = null;
        assertEquals(before, collectedDownTo(), "the block was never unmapped");
    }

    @Test
    void shouldFaultInALargeBlockInTheBackgroundAndNotASmallOne() throws Exception {
        MemorySegment large = ZeroedMemory.allocate(ZeroedMemory.POPULATE_MIN_BYTES);
        MemorySegment small = ZeroedMemory.allocate(ZeroedMemory.POPULATE_MIN_BYTES / 2);
        long pages = large.byteSize() / 4096;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ResidentPages.of(large) < pages && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(pages, ResidentPages.of(large), "pages of the large block faulted in");
        assertEquals(0, ResidentPages.of(small), "pages of the small block faulted in before any touch");
        assertEquals(0L, large.get(ValueLayout.JAVA_LONG, large.byteSize() - 8), "still zero");
    }

    /** Runs GCs until the count of mapped bytes stops falling (or 10 s pass). @return that count */
    private static long collectedDownTo() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long last = Long.MAX_VALUE;
        int stable = 0;
        while (stable < 5 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            long now = ZeroedMemory.mappedBytes();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
        return last;
    }
}
