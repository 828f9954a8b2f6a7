package io.mapcask;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link MapcaskStats}. Each is updated where the store already serializes
 * the work it counts, so counting adds no lock and no allocation: gets (lock-free, many threads)
 * on {@link LongAdder}s, one increment per get; writes and compactions in plain fields under the
 * store's write lock; forces in a histogram under its force lock. A snapshot takes both locks.
 */
final class StoreMetrics {
    /** Any thread. */
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();

    /** Write lock. */
    private long puts;
    private long deletes;
    private long bytesWritten;
    private long segmentRolls;
    private long compactions;
    private long compactionBytesReclaimed;
    private long compactionBytesWritten;
    private long compactionRecordsCopied;
    private long compactionTombstonesDropped;

    /** Force lock. */
    final LatencyHistogram forces = new LatencyHistogram();

    /** Set once, before the store is handed out. */
    private RecoveryReport recovery;

    /** Write lock: one record of {@code size} bytes appended with {@code flags}. */
    void written(int flags, long size) {
        if ((flags & RecordFormat.FLAG_TOMBSTONE) != 0) {
            deletes++;
        } else {
            puts++;
        }
        bytesWritten += size;
    }

    /** Write lock: bytes of records appended since the open. */
    long bytesWritten() {
        return bytesWritten;
    }

    /** Write lock: a new active segment was created. */
    void rolled() {
        segmentRolls++;
    }

    /** Write lock: a compaction committed. */
    void compacted(long inputBytes, long outputBytes, long recordsCopied, long tombstonesDropped) {
        compactions++;
        compactionBytesReclaimed += inputBytes - outputBytes;
        compactionBytesWritten += outputBytes;
        compactionRecordsCopied += recordsCopied;
        compactionTombstonesDropped += tombstonesDropped;
    }

    void recovered(RecoveryReport report) {
        recovery = report;
    }

    /**
     * Under the write lock and the force lock.
     *
     * @param active the active segment, or null
     * @param usage segment id → {live, dead} bytes
     */
    MapcaskStats snapshot(Path dir, LiveSet live, Map<Long, long[]> usage, ActiveSegment active, Keydir keydir,
            Manifest manifest, int awaitingUnlink, long retiredMappedBytes, boolean compactionRunning, long lastSequence,
            long durableSequence) {
        List<SegmentStats> segments = new ArrayList<>();
        for (SegmentMeta m : live.segments()) {
            long[] bytes = usage.getOrDefault(m.id(), new long[2]);
            boolean isActive = !m.sealed();
            long length = isActive ? (active != null && active.id() == m.id() ? active.writePosition()
                    : SegmentHeader.DATA_START) : m.length();
            segments.add(new SegmentStats(m.id(), isActive, length, bytes[0], bytes[1], m.minSequence(),
                    m.maxSequence()));
        }
        long h = hits.sum();
        long m = misses.sum();
        return new MapcaskStats(dir, puts, deletes, h + m, m, bytesWritten, lastSequence, durableSequence, forces,
                segments, segmentRolls, awaitingUnlink, retiredMappedBytes, compactions, compactionRunning, compactionBytesReclaimed,
                compactionBytesWritten, compactionRecordsCopied, compactionTombstonesDropped, keydir.size(),
                keydir.tombstones(), keydir.capacity(), keydir.tableBytes(), manifest.number(), manifest.size(),
                recovery);
    }
}
