package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactionPolicyTest {
    @TempDir
    Path dir;

    private static final MapcaskOptions OPTIONS = MapcaskOptions.builder().segmentSize(1 << 20).build();

    private static SegmentMeta sealed(long id, long length) {
        return new SegmentMeta(id, true, length, 1, 1);
    }

    @Test
    void shouldSelectSegmentsPastTheDeadRatio() {
        List<Long> chosen = CompactionPolicy.select(
                List.of(sealed(1, 900_000), sealed(2, 900_000), sealed(3, 900_000)),
                Map.of(1L, new long[] {400_000, 500_000}, 2L, new long[] {600_000, 300_000},
                        3L, new long[] {450_000, 450_000}),
                OPTIONS);
        assertEquals(List.of(1L, 3L), chosen);
    }

    @Test
    void shouldMergeSmallSegmentsOnlyOnceThereAreEnoughOfThem() {
        Map<Long, long[]> allLive = Map.of(1L, new long[] {1000, 0}, 2L, new long[] {1000, 0},
                3L, new long[] {1000, 0}, 4L, new long[] {1000, 0}, 5L, new long[] {900_000, 0});
        List<SegmentMeta> three = List.of(sealed(1, 5096), sealed(2, 5096), sealed(3, 5096), sealed(5, 904_096));
        assertEquals(List.of(), CompactionPolicy.select(three, allLive, OPTIONS));
        List<SegmentMeta> four = List.of(sealed(1, 5096), sealed(2, 5096), sealed(3, 5096), sealed(4, 5096),
                sealed(5, 904_096));
        assertEquals(List.of(1L, 2L, 3L, 4L), CompactionPolicy.select(four, allLive, OPTIONS));
    }

    @Test
    void shouldLeaveALiveStoreAloneAndRewriteTheDeadPartOfAnOverwrittenOne() {
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(64 << 10).compactionBackground(false).build();
        try (Mapcask db = Mapcask.open(dir, options)) {
            for (int i = 0; i < 400; i++) {
                db.put(("key" + i).getBytes(StandardCharsets.UTF_8), new byte[500]);
            }
            Store store = db.storeForTest();
            store.rotateForTest();
            assertEquals(List.of(), store.compactByPolicy(), "nothing is dead yet");
            for (int i = 0; i < 200; i++) {
                db.put(("key" + i).getBytes(StandardCharsets.UTF_8), new byte[300]);
            }
            store.rotateForTest();
            List<Long> before = store.sealedIdsForTest();
            List<Long> chosen = store.compactByPolicy();
            assertFalse(chosen.isEmpty(), "the overwritten segments are mostly dead");
            assertTrue(before.containsAll(chosen));
            for (Map.Entry<Long, long[]> e : store.usageForTest().entrySet()) {
                long[] b = e.getValue();
                assertTrue(b[1] < 0.5 * (b[0] + b[1]) || b[1] == 0, "segment " + e.getKey() + " still mostly dead");
            }
            for (int i = 0; i < 400; i++) {
                assertArrayEquals(new byte[i < 200 ? 300 : 500], db.get(("key" + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }
}
