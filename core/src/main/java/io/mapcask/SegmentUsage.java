package io.mapcask;

import java.util.Map;
import java.util.TreeMap;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Live and dead record bytes of each live segment, exact across puts, deletes, compactions and
 * recovery: a record is live while the keydir points at it (a tombstone too, until compaction
 * drops it) and dead once a newer record of its key exists. The compaction policy reads it.
 * Owned by the store's write lock (recovery before the store exists).
 */
final class SegmentUsage {
    /** Bytes of one segment; {@code live + dead} is every record byte it holds. */
    static final class Bytes {
        long live;
        long dead;
    }

    /** Per put two lookups (the new record's segment, the old one's): no boxing, no tree walk. */
    private final Long2ObjectHashMap<Bytes> bySegment = new Long2ObjectHashMap<>();
    private final Segments segments;

    SegmentUsage(Segments segments) {
        this.segments = segments;
    }

    Bytes of(long segmentId) {
        return bySegment.computeIfAbsent(segmentId, id -> new Bytes());
    }

    void remove(long segmentId) {
        bySegment.remove(segmentId);
    }

    /** A record at {@code location} became its key's newest; {@code previous} (if any) is now dead. */
    void superseded(long location, long previous) {
        of(Keydir.segmentId(location)).live += recordSize(location);
        if (previous != Keydir.EMPTY) {
            died(previous);
        }
    }

    /** The record at {@code location} is no longer its key's newest. */
    void died(long location) {
        long size = recordSize(location);
        Bytes b = of(Keydir.segmentId(location));
        b.live -= size;
        b.dead += size;
    }

    /** A record that was never its key's newest (recovery met a newer one first). */
    void deadOnArrival(long location) {
        of(Keydir.segmentId(location)).dead += recordSize(location);
    }

    private long recordSize(long location) {
        var data = segments.get(Keydir.segmentId(location)).data;
        long off = Keydir.offset(location);
        return RecordFormat.size(RecordFormat.keyLength(data, off), RecordFormat.valueLength(data, off));
    }

    /** Sets the bytes of a segment as a keydir checkpoint recorded them (recovery, before any other record is counted). */
    void restore(long segmentId, long live, long dead) {
        Bytes b = of(segmentId);
        b.live = live;
        b.dead = dead;
    }

    /** @return a copy: segment id → {live, dead} */
    Map<Long, long[]> snapshot() {
        Map<Long, long[]> m = new TreeMap<>();
        bySegment.forEachLong((id, b) -> m.put(id, new long[] {b.live, b.dead}));
        return m;
    }
}
