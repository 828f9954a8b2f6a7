package io.mapcask;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The committed set of live segments: the result of replaying the manifest's edits. Mutated
 * only by {@link #apply}, under the store's write lock, and only after the edit is durable.
 */
final class LiveSet {
    private final TreeMap<Long, SegmentMeta> segments = new TreeMap<>();
    private long nextSegmentId = 1;
    private long lastSequence;

    void apply(ManifestEdit edit) {
        for (long id : edit.removed()) {
            segments.remove(id);
        }
        for (SegmentMeta m : edit.added()) {
            segments.put(m.id(), m);
        }
        nextSegmentId = Math.max(nextSegmentId, edit.nextSegmentId());
        lastSequence = Math.max(lastSequence, edit.lastSequence());
    }

    /** @return one edit that recreates this set from nothing: the first edit of a new manifest */
    ManifestEdit snapshot() {
        return new ManifestEdit(nextSegmentId, lastSequence, List.of(), new ArrayList<>(segments.values()));
    }

    Collection<SegmentMeta> segments() {
        return segments.values();
    }

    SegmentMeta get(long id) {
        return segments.get(id);
    }

    /** @return the active segment's meta, or null when there is none */
    SegmentMeta active() {
        SegmentMeta active = null;
        for (SegmentMeta m : segments.values()) {
            if (!m.sealed()) {
                if (active != null) {
                    throw new IllegalStateException("two active segments: " + active.id() + " and " + m.id());
                }
                active = m;
            }
        }
        return active;
    }

    long nextSegmentId() {
        return nextSegmentId;
    }

    long lastSequence() {
        return lastSequence;
    }
}
