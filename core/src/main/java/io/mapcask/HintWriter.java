package io.mapcask;

import io.mapcask.mmap.FileHandle;
import io.mapcask.mmap.Fs;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** Writes {@code <id>.hint} for the records of a sealed segment, and fsyncs it. */
final class HintWriter {
    private HintWriter() {
    }

    /** The records {@code [DATA_START, length)} of {@code data} must all be valid (they were written or checked). */
    static void write(Fs fs, Path dir, long id, MemorySegment data, long length, long hashSeed) throws IOException {
        long count = 0;
        for (long off = SegmentHeader.DATA_START; off < length; off += recordSize(data, off)) {
            count++;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hint = arena.allocate(HintFormat.fileSize(count), 8);
            HintFormat.writeHeader(hint, id, length, hashSeed);
            long at = HintFormat.HEADER_SIZE;
            for (long off = SegmentHeader.DATA_START; off < length; off += recordSize(data, off)) {
                HintFormat.writeEntry(hint, at, data, off, hashSeed);
                at += HintFormat.ENTRY_SIZE;
            }
            HintFormat.writeFooter(hint, at, count);
            try (FileHandle h = fs.open(FileNames.hint(dir, id), true)) {
                h.truncate(0);
                h.write(hint.asByteBuffer(), 0);
                h.sync();
            }
        }
    }

    private static long recordSize(MemorySegment data, long off) {
        return RecordFormat.size(RecordFormat.keyLength(data, off), RecordFormat.valueLength(data, off));
    }
}
