package io.mapcask;

import io.mapcask.mmap.MappedRegion;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** One mapped data segment, as readers see it. Immutable; replaced (not changed) when remapped. */
final class Segment {
    final long id;
    final Path path;
    final MappedRegion region;
    final MemorySegment data;

    Segment(long id, Path path, MappedRegion region) {
        this.id = id;
        this.path = path;
        this.region = region;
        this.data = region.segment();
    }

    /** Unmaps; readers still inside get {@link IllegalStateException} and retry through the keydir. */
    void unmap() {
        region.close();
    }
}
