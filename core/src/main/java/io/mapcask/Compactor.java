package io.mapcask;

import io.mapcask.mmap.FileHandle;
import io.mapcask.mmap.Fs;
import io.mapcask.mmap.MappedRegion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.agrona.collections.LongArrayList;

/**
 * The copy phase of a compaction (DESIGN §5 steps 1–2): reads the records of sealed input
 * segments, keeps those the keydir still points at, and writes them verbatim (same sequence,
 * same CRC) into new sealed segments under fresh ids, each with its hint, each fsynced. It
 * changes nothing that is live: the caller fsyncs the directory, commits, repoints and unlinks.
 *
 * <p>A live tombstone is dropped only when no live segment outside the compaction holds a
 * record with a lower sequence ({@code tombstoneFloor}); otherwise an older version of its key
 * would come back after a restart. Dropped tombstones are returned so the caller can forget
 * their keys once the compaction is committed.
 */
final class Compactor {
    private static final int BUFFER_BYTES = 1 << 20;

    /** One sealed output segment, complete on disk (data and hint fsynced), mapped read-only. */
    record Output(Segment segment, long length, long minSequence, long maxSequence) {
        SegmentMeta meta() {
            return new SegmentMeta(segment.id, true, length, minSequence, maxSequence);
        }
    }

    /** Outputs, plus the locations of the tombstones that were dropped. */
    record Result(List<Output> outputs, LongArrayList droppedTombstones, long recordsCopied) {
    }

    /** An input: a sealed segment and its committed length. */
    record Input(Segment segment, long length) {
    }

    private final Fs fs;
    private final Path dir;
    private final long segmentSize;
    private final Keydir keydir;
    private final Segments segments;
    private final ReadGate gate;
    private final long seed;
    private final LongSupplier newSegmentId;
    private final ProgressListener progress;
    private final List<Output> outputs = new ArrayList<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final MemorySegment bufferSegment = MemorySegment.ofBuffer(buffer);

    private final long bytesPerSecond;
    private final long startNanos = System.nanoTime();
    private long bytesCopied;
    private FileHandle file;
    private long fileId;
    private long filePos;
    private long bufferStart;
    private long minSequence;
    private long maxSequence;

    /**
     * @param bytesPerSecond copy budget, 0 for none: the copy sleeps when it gets ahead of it
     *     (it holds no lock writers need, so this only spreads the IO out)
     * @param progress told the input bytes read so far, out of the inputs' committed lengths
     */
    Compactor(Fs fs, Path dir, long segmentSize, long bytesPerSecond, Keydir keydir, Segments segments, ReadGate gate,
            long seed, LongSupplier newSegmentId, ProgressListener progress) {
        this.gate = gate;
        this.progress = progress;
        this.bytesPerSecond = bytesPerSecond;
        this.fs = fs;
        this.dir = dir;
        this.segmentSize = segmentSize;
        this.keydir = keydir;
        this.segments = segments;
        this.seed = seed;
        this.newSegmentId = newSegmentId;
    }

    /**
     * Copies the live records of {@code inputs}. On failure, every output written so far is
     * unmapped and deleted, and the exception is rethrown; the inputs are untouched.
     */
    Result copy(List<Input> inputs, long tombstoneFloor) throws IOException {
        LongArrayList dropped = new LongArrayList();
        long copied = 0;
        long inputBytes = 0;
        for (Input in : inputs) {
            inputBytes += in.length();
        }
        long read = 0;
        try {
            for (Input in : inputs) {
                MemorySegment data = in.segment().data;
                long off = SegmentHeader.DATA_START;
                while (off < in.length()) {
                    // The mappings are read inside the read gate (a close() beside the copy unmaps
                    // them); output IO and the next output's id (the write lock) outside it, since
                    // a close() holds the write lock while it waits for the gate.
                    long size;
                    boolean copy = false;
                    int ticket = enterGate();
                    try {
                        int keyLength = RecordFormat.keyLength(data, off);
                        size = RecordFormat.size(keyLength, RecordFormat.valueLength(data, off));
                        long keyOffset = RecordFormat.keyOffset(off);
                        boolean tombstone = RecordFormat.isTombstone(data, off);
                        long location = Keydir.location(in.segment().id, off, tombstone);
                        long hash = KeyHash.hash(data, keyOffset, keyLength, seed);
                        if (keydir.get(data, keyOffset, keyLength, hash, segments) == location) {
                            if (tombstone && RecordFormat.sequence(data, off) < tombstoneFloor) {
                                dropped.addLong(location);
                            } else if (hasRoom(size)) {
                                append(data, off, size);
                                copied++;
                            } else {
                                copy = true;
                            }
                        }
                    } finally {
                        gate.exit(ticket);
                    }
                    if (copy) {
                        makeRoom(size);
                        ticket = enterGate();
                        try {
                            append(data, off, size); // live when checked: if overwritten since, the repoint skips it
                            copied++;
                        } finally {
                            gate.exit(ticket);
                        }
                    }
                    off += size;
                    progress.progress(read + off, inputBytes);
                }
                read += in.length();
            }
            finishOutput();
        } catch (IOException | RuntimeException e) {
            abandonOutputs(e);
            throw e;
        }
        return new Result(List.copyOf(outputs), dropped, copied);
    }

    private int enterGate() {
        int ticket = gate.enter();
        if (ticket < 0) {
            throw new MapcaskClosedException(dir);
        }
        return ticket;
    }

    /** Whether {@link #append} of {@code size} bytes needs no output IO first (no {@link #makeRoom}). */
    private boolean hasRoom(long size) {
        return file != null && filePos + size <= segmentSize && filePos - bufferStart + size <= BUFFER_BYTES
                && size <= BUFFER_BYTES;
    }

    /** Finishes the current output, starts the next and flushes the buffer as {@code size} more bytes need. */
    private void makeRoom(long size) throws IOException {
        if (file != null && filePos + size > segmentSize) {
            finishOutput();
        }
        if (file == null) {
            startOutput();
        }
        if (filePos - bufferStart + size > BUFFER_BYTES) {
            flush();
        }
    }

    /** Copies one record into the current output, which has room for it ({@link #makeRoom}). */
    private void append(MemorySegment data, long off, long size) throws IOException {
        long sequence = RecordFormat.sequence(data, off);
        minSequence = minSequence == 0 ? sequence : Math.min(minSequence, sequence);
        maxSequence = Math.max(maxSequence, sequence);
        if (size > BUFFER_BYTES) {
            file.write(data.asSlice(off, size).asByteBuffer(), filePos);
            bufferStart = filePos + size;
        } else {
            MemorySegment.copy(data, off, bufferSegment, filePos - bufferStart, size);
        }
        filePos += size;
    }

    private void startOutput() throws IOException {
        fileId = newSegmentId.getAsLong();
        file = fs.open(FileNames.data(dir, fileId), true);
        file.truncate(0);
        bufferSegment.asSlice(0, SegmentHeader.DATA_START).fill((byte) 0);
        SegmentHeader.write(bufferSegment, fileId);
        bufferStart = 0;
        filePos = SegmentHeader.DATA_START;
        minSequence = 0;
        maxSequence = 0;
    }

    private void flush() throws IOException {
        int n = (int) (filePos - bufferStart);
        if (n > 0) {
            file.write(buffer.duplicate().position(0).limit(n), bufferStart);
            throttle(n);
        }
        bufferStart = filePos;
    }

    private void throttle(long bytes) throws IOException {
        bytesCopied += bytes;
        if (bytesPerSecond <= 0) {
            return;
        }
        long dueNanos = (long) (bytesCopied * 1e9 / bytesPerSecond);
        long aheadMillis = (dueNanos - (System.nanoTime() - startNanos)) / 1_000_000;
        if (aheadMillis > 0) {
            try {
                Thread.sleep(aheadMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("compaction interrupted");
            }
        }
    }

    /** Flushes, fsyncs and maps the current output, and writes its hint. */
    private void finishOutput() throws IOException {
        if (file == null) {
            return;
        }
        flush();
        if (!ProtocolMutant.is(ProtocolMutant.SKIP_OUTPUT_FORCE)) {
            file.sync();
        }
        MappedRegion region = file.map(0, filePos, false);
        Segment seg = new Segment(fileId, FileNames.data(dir, fileId), region);
        file.close();
        file = null;
        outputs.add(new Output(seg, filePos, minSequence, maxSequence));
        HintWriter.write(fs, dir, fileId, seg.data, filePos, seed);
    }

    /** Unmaps and deletes outputs that will not be committed. */
    static void discard(Fs fs, Path dir, List<Output> outputs) {
        for (Output o : outputs) {
            o.segment().unmap();
            try {
                fs.delete(FileNames.data(dir, o.segment().id));
                fs.delete(FileNames.hint(dir, o.segment().id));
            } catch (IOException e) {
                // no edit names them: recovery deletes them
            }
        }
    }

    private void abandonOutputs(Throwable cause) {
        List<Long> ids = new ArrayList<>();
        for (Output o : outputs) {
            o.segment().unmap();
            ids.add(o.segment().id);
        }
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
            ids.add(fileId);
            file = null;
        }
        for (long id : ids) {
            try {
                fs.delete(FileNames.data(dir, id));
                fs.delete(FileNames.hint(dir, id));
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
