package io.mapcask;

import io.mapcask.mmap.FileHandle;
import io.mapcask.mmap.Fs;
import io.mapcask.mmap.MappedRegion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The segment being appended to. Appends happen under the store's write lock; forcing happens
 * under its force lock (possibly by a group-commit leader that does not hold the write lock),
 * so the append side publishes how far it has written ({@link #publishedSequence}, then {@link
 * #publishedPosition}) for the force side to read. {@link #forceRecords} forces the published records
 * and {@link #forceMark} then advances the durable mark in the header.
 */
final class ActiveSegment {
    final Segment segment;
    /** Write lock only. */
    private long writePos = SegmentHeader.DATA_START;
    /** Written under the write lock after each append; read by forcers. Sequence first, then position. */
    private volatile long publishedSequence;
    private volatile long publishedPosition = SegmentHeader.DATA_START;
    /** Force lock only. */
    private long durablePos = SegmentHeader.DATA_START;
    /** Force lock only: what the durable mark written last vouches for (it may lag {@link #durablePos}). */
    private long markedPos = SegmentHeader.DATA_START;
    /** Force lock only: the end flushed by the last {@link #forceRecords}, and when that began. */
    private long recordsEnd = SegmentHeader.DATA_START;
    private long forceStart;
    private ForceEvent forceEvent;
    private long markCounter;
    private long minSequence;
    private long maxSequence;
    private long records;
    /** Background thread only: the end of the pages {@link #populateAhead} has faulted in. */
    private long populatedTo;
    private static final long PAGE = 4096;
    private static final long POPULATE_STEP = 1 << 20;

    private ActiveSegment(Segment segment) {
        this.segment = segment;
    }

    /**
     * Creates {@code <id>.data}: preallocated (so a full disk fails here, not in a mapped write),
     * mapped, its header written and forced and the file fsynced. The caller fsyncs the
     * directory before naming the segment in the manifest.
     */
    static ActiveSegment create(Fs fs, Path dir, long id, long size) throws IOException {
        Path path = FileNames.data(dir, id);
        MappedRegion region;
        try (FileHandle h = fs.open(path, true)) {
            h.allocate(size);
            region = h.map(0, size, true);
            try {
                SegmentHeader.write(region.segment(), id);
                region.force(0, SegmentHeader.DATA_START);
                h.sync();
            } catch (IOException | RuntimeException e) {
                region.close();
                throw e;
            }
        }
        return new ActiveSegment(new Segment(id, path, region));
    }

    long id() {
        return segment.id;
    }

    boolean fits(long recordSize) {
        return writePos + recordSize <= segment.data.byteSize();
    }

    /** Writes one record at the end, its key and value given as ranges of arrays. @return its offset */
    long append(long sequence, int flags, byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset,
            int valueLength, byte[] scratch, CRC32C crc) {
        long off = writePos;
        RecordFormat.write(segment.data, off, sequence, flags, key, keyOffset, keyLength, value, valueOffset, valueLength,
                scratch, crc);
        writePos = off + RecordFormat.size(keyLength, valueLength);
        if (records++ == 0) {
            minSequence = sequence;
        }
        maxSequence = sequence;
        return off;
    }

    /**
     * Makes everything appended so far visible to forcers. Called after a whole batch, so that
     * a force (and the durable mark it writes) never ends inside a batch.
     */
    void publish() {
        publishedSequence = maxSequence;
        publishedPosition = writePos;
    }

    /**
     * Under the force lock, the first half of a force: flushes every published record. Without
     * {@code singleFlush} the mark that vouches for them is written and flushed by {@link
     * #forceMark} next, so a caller may release the writers these records belong to in between
     * (they are durable: a crash before the mark's flush leaves them intact above the mark, where
     * recovery's scan keeps them). With {@code singleFlush}, this one flush also carries a mark
     * that vouches only for what earlier forces made durable: the mark lags by one force, and it
     * never claims a byte that a crash inside this flush could tear.
     *
     * @return the highest sequence now durable in this segment (0 when it holds none)
     */
    long forceRecords(boolean singleFlush) throws IOException {
        long sequence = publishedSequence;
        long end = publishedPosition; // read after the sequence: covers at least its record
        if (end > durablePos) {
            forceEvent = Jfr.on() ? new ForceEvent() : null;
            if (forceEvent != null) {
                forceEvent.begin();
            }
            forceStart = System.nanoTime();
            if (singleFlush) {
                long vouched = ProtocolMutant.is(ProtocolMutant.SINGLE_FLUSH_MARK_CLAIMS_ITS_OWN_RECORDS) ? end : durablePos;
                SegmentHeader.writeMark(segment.data, ++markCounter, vouched);
                markedPos = vouched;
                segment.region.force(0, end);
            } else {
                segment.region.force(durablePos, end - durablePos);
            }
            recordsEnd = end;
        }
        return sequence;
    }

    /**
     * Under the force lock, the second half of a force begun by {@link #forceRecords}: writes the
     * durable mark for its records and flushes it (nothing more to do with {@code singleFlush}).
     *
     * @param latencies where the time of the whole force (records and mark) is counted
     */
    void forceMark(boolean singleFlush, LatencyHistogram latencies) throws IOException {
        long end = recordsEnd;
        if (end <= durablePos) {
            return;
        }
        if (!singleFlush) {
            SegmentHeader.writeMark(segment.data, ++markCounter, end);
            segment.region.force(0, SegmentHeader.DATA_START);
            markedPos = end;
        }
        latencies.record(System.nanoTime() - forceStart);
        ForceEvent event = forceEvent;
        if (event != null && event.shouldCommit()) {
            event.segment = segment.path.toString();
            event.bytes = end - durablePos;
            event.durableEnd = end;
            event.commit();
        }
        forceEvent = null;
        durablePos = end;
    }

    /** Force lock: whether the durable mark vouches for less than what is durable (its write was skipped). */
    boolean markLags() {
        return markedPos < durablePos;
    }

    /** @return the highest sequence published to forcers (any thread) */
    long publishedSequence() {
        return publishedSequence;
    }

    /**
     * Background thread only: faults in, for writing, the pages from the published position up
     * to {@code ahead} bytes past it, so that the appends to come take no page fault (a file
     * page's first write costs the writer a fault that reads or zeroes it and reserves its block,
     * some microseconds every 4 KiB). Only the kernel's page state changes: no byte, no
     * durability. Works in steps of at least {@value #POPULATE_STEP} bytes, but for the last.
     *
     * @return whether it faulted anything in
     */
    boolean populateAhead(long ahead) {
        long position = publishedPosition;
        long size = segment.data.byteSize();
        long end = Math.min(size, position + ahead) & -PAGE;
        long from = Math.max(populatedTo, position & -PAGE);
        if (end <= from || (end - from < POPULATE_STEP && end < (size & -PAGE))) {
            return false;
        }
        segment.region.populateForWrite(from, end - from);
        populatedTo = end;
        return true;
    }

    /** @return the end of the pages {@link #populateAhead} has faulted in (tests) */
    long populatedTo() {
        return populatedTo;
    }

    long records() {
        return records;
    }

    long minSequence() {
        return minSequence;
    }

    long writePosition() {
        return writePos;
    }

    SegmentMeta sealedMeta() {
        return new SegmentMeta(segment.id, true, writePos, minSequence, maxSequence);
    }
}
