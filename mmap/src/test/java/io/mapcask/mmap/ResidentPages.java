package io.mapcask.mmap;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Counts the pages of a memory range that have a page-table entry, from {@code /proc/self/pagemap}. */
final class ResidentPages {
    private static final long PAGE = 4096;
    private static final long PRESENT = 1L << 63;

    private ResidentPages() {
    }

    /** @return how many of the pages of {@code range} (page aligned) are mapped in */
    static long of(MemorySegment range) throws IOException {
        long pages = range.byteSize() / PAGE;
        ByteBuffer entries = ByteBuffer.allocate((int) (pages * 8)).order(ByteOrder.nativeOrder());
        try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"))) {
            long at = range.address() / PAGE * 8;
            while (entries.hasRemaining()) {
                if (pagemap.read(entries, at + entries.position()) < 0) {
                    throw new IOException("pagemap ended early");
                }
            }
        }
        long present = 0;
        for (int i = 0; i < pages; i++) {
            present += (entries.getLong(i * 8) & PRESENT) != 0 ? 1 : 0;
        }
        return present;
    }
}
