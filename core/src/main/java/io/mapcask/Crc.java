package io.mapcask;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/** CRC32C over ranges of segments; the JDK's intrinsic does the work. */
final class Crc {
    private Crc() {
    }

    /** CRC32C of {@code [offset, offset + length)} of {@code seg}. Allocates a buffer view: not for hot paths. */
    static int of(MemorySegment seg, long offset, long length) {
        CRC32C crc = new CRC32C();
        update(crc, seg, offset, length);
        return (int) crc.getValue();
    }

    static void update(CRC32C crc, MemorySegment seg, long offset, long length) {
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            int n = (int) Math.min(end - pos, 1 << 30);
            crc.update(seg.asSlice(pos, n).asByteBuffer());
            pos += n;
        }
    }
}
