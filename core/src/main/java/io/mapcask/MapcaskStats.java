package io.mapcask;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * An immutable snapshot of a store's counters and state, from {@link Mapcask#stats()}. Counters
 * run from the {@code open} of this instance; sizes and segments are as of the snapshot.
 * {@link #toString()} prints everything for an operator. Every field is described in {@code
 * docs/operations.md}.
 */
public final class MapcaskStats {
    private final Path directory;
    private final long puts;
    private final long deletes;
    private final long gets;
    private final long getMisses;
    private final long bytesWritten;
    private final long lastSequence;
    private final long durableSequence;
    private final long forces;
    private final long forceTotalNanos;
    private final long forceP50Nanos;
    private final long forceP99Nanos;
    private final long forceMaxNanos;
    private final List<SegmentStats> segments;
    private final long segmentRolls;
    private final int segmentsAwaitingUnlink;
    private final long retiredMappedBytes;
    private final long compactions;
    private final boolean compactionRunning;
    private final long compactionBytesReclaimed;
    private final long compactionBytesWritten;
    private final long compactionRecordsCopied;
    private final long compactionTombstonesDropped;
    private final long keys;
    private final long tombstones;
    private final long keydirCapacity;
    private final long keydirBytes;
    private final long manifestNumber;
    private final long manifestBytes;
    private final RecoveryReport recovery;

    MapcaskStats(Path directory, long puts, long deletes, long gets, long getMisses, long bytesWritten,
            long lastSequence, long durableSequence, LatencyHistogram forces, List<SegmentStats> segments,
            long segmentRolls, int segmentsAwaitingUnlink, long retiredMappedBytes, long compactions,
            boolean compactionRunning,
            long compactionBytesReclaimed, long compactionBytesWritten, long compactionRecordsCopied,
            long compactionTombstonesDropped, long keys, long tombstones, long keydirCapacity, long keydirBytes,
            long manifestNumber, long manifestBytes, RecoveryReport recovery) {
        this.directory = directory;
        this.puts = puts;
        this.deletes = deletes;
        this.gets = gets;
        this.getMisses = getMisses;
        this.bytesWritten = bytesWritten;
        this.lastSequence = lastSequence;
        this.durableSequence = durableSequence;
        this.forces = forces.count();
        this.forceTotalNanos = forces.totalNanos();
        this.forceP50Nanos = forces.percentile(0.50);
        this.forceP99Nanos = forces.percentile(0.99);
        this.forceMaxNanos = forces.maxNanos();
        this.segments = List.copyOf(segments);
        this.segmentRolls = segmentRolls;
        this.segmentsAwaitingUnlink = segmentsAwaitingUnlink;
        this.retiredMappedBytes = retiredMappedBytes;
        this.compactions = compactions;
        this.compactionRunning = compactionRunning;
        this.compactionBytesReclaimed = compactionBytesReclaimed;
        this.compactionBytesWritten = compactionBytesWritten;
        this.compactionRecordsCopied = compactionRecordsCopied;
        this.compactionTombstonesDropped = compactionTombstonesDropped;
        this.keys = keys;
        this.tombstones = tombstones;
        this.keydirCapacity = keydirCapacity;
        this.keydirBytes = keydirBytes;
        this.manifestNumber = manifestNumber;
        this.manifestBytes = manifestBytes;
        this.recovery = recovery;
    }

    /** @return the store's directory */
    public Path directory() {
        return directory;
    }

    /** @return records written that store a value: puts, async and conditional puts that wrote, batch puts */
    public long puts() {
        return puts;
    }

    /** @return tombstones written: deletes of a present key, batch deletes */
    public long deletes() {
        return deletes;
    }

    /** @return {@code get} calls (both forms), hits and misses; {@code containsKey} is not counted */
    public long gets() {
        return gets;
    }

    /** @return {@code get} calls that found no value */
    public long getMisses() {
        return getMisses;
    }

    /** @return record bytes appended by writes (header, key, value, padding); compaction's copies not included */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** @return the sequence of the newest record written (sequences are global and increasing) */
    public long lastSequence() {
        return lastSequence;
    }

    /** @return every write up to this sequence survives any crash */
    public long durableSequence() {
        return durableSequence;
    }

    /** @return forces of new records of the active segment (each: msync of the records, then of the durable mark) */
    public long forces() {
        return forces;
    }

    /** @return time spent in those forces, nanoseconds */
    public long forceTotalNanos() {
        return forceTotalNanos;
    }

    /** @return median force latency, nanoseconds, at most 25% above the true value (log-linear buckets) */
    public long forceP50Nanos() {
        return forceP50Nanos;
    }

    /** @return 99th-percentile force latency, nanoseconds, at most 25% above the true value */
    public long forceP99Nanos() {
        return forceP99Nanos;
    }

    /** @return the slowest force, nanoseconds, exact */
    public long forceMaxNanos() {
        return forceMaxNanos;
    }

    /** @return the live segments, by id */
    public List<SegmentStats> segments() {
        return segments;
    }

    /** @return record bytes of the live segments that are their key's newest */
    public long liveBytes() {
        long sum = 0;
        for (SegmentStats s : segments) {
            sum += s.liveBytes();
        }
        return sum;
    }

    /** @return record bytes of the live segments superseded by newer writes; compaction reclaims them */
    public long deadBytes() {
        long sum = 0;
        for (SegmentStats s : segments) {
            sum += s.deadBytes();
        }
        return sum;
    }

    /**
     * @return record bytes held over live record bytes: 1.0 when nothing is dead (or the store is
     *     empty), {@link Double#POSITIVE_INFINITY} when only dead records remain
     */
    public double spaceAmplification() {
        long live = liveBytes();
        long dead = deadBytes();
        if (dead == 0) {
            return 1.0;
        }
        return live == 0 ? Double.POSITIVE_INFINITY : (double) (live + dead) / live;
    }

    /** @return active segments created since open (the first write's included) */
    public long segmentRolls() {
        return segmentRolls;
    }

    /**
     * @return segments removed by a committed compaction whose files are not unlinked yet: those
     *     whose compaction still waits for running iterations before it unmaps them (see {@link
     *     #retiredMappedBytes()}), and those whose unlink failed (retried after the next compaction,
     *     else deleted by recovery); they still hold disk space
     */
    public int segmentsAwaitingUnlink() {
        return segmentsAwaitingUnlink;
    }

    /**
     * @return bytes of segments removed by a committed compaction that are still mapped, because
     *     the compaction waits for running iterations (which may be inside them) before it unmaps
     *     them; 0 when no compaction is between its commit and its last step
     */
    public long retiredMappedBytes() {
        return retiredMappedBytes;
    }

    /** @return compactions committed since open (explicit and background) */
    public long compactions() {
        return compactions;
    }

    /** @return true when a compaction was running at the snapshot */
    public boolean compactionRunning() {
        return compactionRunning;
    }

    /** @return committed lengths of compacted inputs minus lengths of their outputs */
    public long compactionBytesReclaimed() {
        return compactionBytesReclaimed;
    }

    /** @return bytes of the segments compaction wrote (4096-byte headers included) */
    public long compactionBytesWritten() {
        return compactionBytesWritten;
    }

    /** @return live records compaction copied into new segments */
    public long compactionRecordsCopied() {
        return compactionRecordsCopied;
    }

    /** @return tombstones compaction dropped for good (no older version of their key was left anywhere) */
    public long compactionTombstonesDropped() {
        return compactionTombstonesDropped;
    }

    /** @return keys present */
    public long keys() {
        return keys;
    }

    /** @return deleted keys the keydir still tracks until compaction drops their tombstones */
    public long tombstones() {
        return tombstones;
    }

    /** @return slots of the keydir table */
    public long keydirCapacity() {
        return keydirCapacity;
    }

    /** @return off-heap bytes of the keydir table */
    public long keydirBytes() {
        return keydirBytes;
    }

    /** @return keydir bytes per present key ({@link #keydirBytes()} when the store is empty) */
    public double keydirBytesPerKey() {
        return (double) keydirBytes / Math.max(1, keys);
    }

    /** @return slots holding a key or tombstone over all slots (the table grows at 0.75) */
    public double keydirLoad() {
        return keydirCapacity == 0 ? 0 : (double) (keys + tombstones) / keydirCapacity;
    }

    /** @return n of the live {@code MANIFEST-<n>}; it grows by one at each manifest rotation */
    public long manifestNumber() {
        return manifestNumber;
    }

    /** @return bytes of the live manifest; it is rotated past {@code mapcask.manifest.max.size} */
    public long manifestBytes() {
        return manifestBytes;
    }

    /** @return what the {@code open} of this instance did */
    public RecoveryReport recovery() {
        return recovery;
    }

    /** @return every figure, one per line, for an operator */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        line(sb, "directory", directory.toString());
        line(sb, "keys", keys + " (" + tombstones + " tombstones)");
        line(sb, "operations", puts + " puts, " + deletes + " deletes, " + gets + " gets (" + getMisses + " misses), "
                + bytes(bytesWritten) + " written");
        line(sb, "sequences", "last " + lastSequence + ", durable " + durableSequence);
        line(sb, "forces", forces + ", p50 " + micros(forceP50Nanos) + ", p99 " + micros(forceP99Nanos) + ", max "
                + micros(forceMaxNanos) + ", total " + millis(forceTotalNanos));
        line(sb, "segments", segments.size() + " live, " + segmentRolls + " rolls since open, "
                + segmentsAwaitingUnlink + " awaiting unlink (" + bytes(retiredMappedBytes) + " still mapped)");
        for (SegmentStats s : segments) {
            sb.append(String.format(Locale.ROOT, "  %s %-6s %12s  live %12s  dead %12s (%5.1f%% dead)%n",
                    FileNames.data(s.id()), s.active() ? "active" : "sealed", bytes(s.length()), bytes(s.liveBytes()),
                    bytes(s.deadBytes()), 100 * s.deadRatio()));
        }
        line(sb, "space", bytes(liveBytes()) + " live, " + bytes(deadBytes()) + " dead, amplification "
                + String.format(Locale.ROOT, "%.3f", spaceAmplification()));
        line(sb, "compaction", compactions + " runs" + (compactionRunning ? " (one running)" : "") + ", "
                + bytes(compactionBytesReclaimed) + " reclaimed, " + bytes(compactionBytesWritten) + " written, "
                + compactionRecordsCopied + " records copied, " + compactionTombstonesDropped + " tombstones dropped");
        line(sb, "keydir", bytes(keydirBytes) + ", " + keydirCapacity + " slots, load "
                + String.format(Locale.ROOT, "%.3f", keydirLoad()) + ", "
                + String.format(Locale.ROOT, "%.1f", keydirBytesPerKey()) + " bytes per key");
        line(sb, "manifest", FileNames.manifest(manifestNumber) + " (format version " + Manifest.VERSION + "), "
                + bytes(manifestBytes));
        line(sb, "recovery", String.valueOf(recovery));
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, String value) {
        sb.append(String.format(Locale.ROOT, "%-11s %s%n", name + ":", value));
    }

    static String bytes(long n) {
        return String.format(Locale.ROOT, "%,d B", n);
    }

    static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
}
