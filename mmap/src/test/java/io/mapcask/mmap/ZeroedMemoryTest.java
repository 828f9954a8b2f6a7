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
        long before = ZeroedMemory.mappedBytes();
        MemorySegment block = ZeroedMemory.allocate(bytes);
        block.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        assertTrue(ZeroedMemory.mappedBytes() >= bytes, "the block is counted while reachable");
        block = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ZeroedMemory.mappedBytes() > before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        // Blocks of other tests may be collected meanwhile too: at most what was there before is left.
        assertTrue(ZeroedMemory.mappedBytes() <= before, "the block was never unmapped");
    }
}
