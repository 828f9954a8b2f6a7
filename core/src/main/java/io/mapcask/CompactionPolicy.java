package io.mapcask;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which sealed segments a policy-driven compaction rewrites: those whose dead fraction passes
 * {@code compaction.min.dead.ratio} (rewriting them gives back their dead bytes), and, once
 * there are {@code compaction.min.small.segments} of them, the small ones (below {@code
 * compaction.small.segment.ratio} of a segment), merged together as size-tiered compaction
 * merges similar-sized tables. Full compaction ({@code compact()}) takes every sealed segment.
 */
final class CompactionPolicy {
    private CompactionPolicy() {
    }

    /**
     * @param sealed the live sealed segments
     * @param usage segment id → {live bytes, dead bytes}
     * @return the ids to compact, ascending; empty when nothing passes a threshold
     */
    static List<Long> select(Collection<SegmentMeta> sealed, Map<Long, long[]> usage, MapcaskOptions options) {
        TreeSet<Long> chosen = new TreeSet<>();
        List<Long> small = new ArrayList<>();
        double smallBelow = options.compactionSmallSegmentRatio() * options.segmentSize();
        for (SegmentMeta m : sealed) {
            long[] bytes = usage.getOrDefault(m.id(), new long[2]);
            long total = bytes[0] + bytes[1];
            if (total > 0 && bytes[1] > 0 && bytes[1] >= options.compactionMinDeadRatio() * total) {
                chosen.add(m.id());
            }
            if (m.length() < smallBelow) {
                small.add(m.id());
            }
        }
        if (small.size() >= options.compactionMinSmallSegments()) {
            chosen.addAll(small);
        }
        return new ArrayList<>(chosen);
    }
}
