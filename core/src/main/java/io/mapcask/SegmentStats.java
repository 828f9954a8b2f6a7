package io.mapcask;

/**
 * One live data segment in a {@link MapcaskStats} snapshot. A record is live while it is its
 * key's newest (a tombstone too, until compaction drops it) and dead once a newer record of its
 * key exists; {@code liveBytes + deadBytes} is every record byte the segment holds.
 *
 * @param id the segment's id: file {@code <id>.data} (six or more digits)
 * @param active true for the segment being appended to (at most one)
 * @param length end of the last record: the committed length of a sealed segment, the write
 *     position of the active one (the 4096-byte header included)
 * @param liveBytes bytes of records that are their key's newest
 * @param deadBytes bytes of records superseded by a newer write or delete
 * @param minSequence lowest record sequence of a sealed segment (0 for the active one)
 * @param maxSequence highest record sequence of a sealed segment (0 for the active one)
 */
public record SegmentStats(long id, boolean active, long length, long liveBytes, long deadBytes, long minSequence,
        long maxSequence) {

    /** @return dead bytes over all record bytes, 0 for a segment without records */
    public double deadRatio() {
        long total = liveBytes + deadBytes;
        return total == 0 ? 0 : (double) deadBytes / total;
    }
}
