package io.mapcask;

/**
 * What the manifest knows of one live data segment.
 *
 * @param id the segment's id (file {@code <id>.data}); ids are never reused
 * @param sealed false for the active segment, which recovery scans to find its end
 * @param length for a sealed segment, the end of its last record; 0 for the active one
 * @param minSequence lowest record sequence in a sealed segment (0 when empty or active)
 * @param maxSequence highest record sequence in a sealed segment (0 when empty or active)
 */
record SegmentMeta(long id, boolean sealed, long length, long minSequence, long maxSequence) {

    static SegmentMeta active(long id) {
        return new SegmentMeta(id, false, 0, 0, 0);
    }
}
