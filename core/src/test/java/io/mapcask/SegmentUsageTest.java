package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-segment live and dead byte counters stay exact across puts, deletes, compactions and recovery. */
class SegmentUsageTest {
    @TempDir
    Path dir;

    static String render(Map<Long, long[]> m) {
        Map<Long, List<Long>> r = new TreeMap<>();
        m.forEach((k, v) -> r.put(k, List.of(v[0], v[1])));
        return r.toString();
    }

    private static void assertExact(Mapcask db, String where) {
        Store s = db.storeForTest();
        assertEquals(render(s.scanUsage()), render(s.usageForTest()), "live/dead bytes per segment, " + where);
    }

    @Test
    void shouldKeepLiveAndDeadBytesExact() {
        long seed = TestSeeds.seed(5L);
        Random rnd = new Random(seed);
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(32 << 10).compactionBackground(false).build();
        for (int life = 0; life < 6; life++) {
            try (Mapcask db = Mapcask.open(dir, options)) {
                assertExact(db, "after open " + life + " (seed " + seed + ")");
                for (int i = 0; i < 3000; i++) {
                    byte[] key = ("k" + rnd.nextInt(300)).getBytes(StandardCharsets.UTF_8);
                    int dice = rnd.nextInt(100);
                    if (dice < 20) {
                        db.delete(key);
                    } else if (dice < 21) {
                        Store s = db.storeForTest();
                        s.rotateForTest();
                        List<Long> sealed = s.sealedIdsForTest();
                        s.compact(sealed.subList(sealed.size() / 2, sealed.size()));
                        assertExact(db, "after a partial compaction (seed " + seed + ", life " + life + ")");
                    } else {
                        db.put(key, new byte[rnd.nextInt(400)]);
                    }
                }
                assertExact(db, "after writes (seed " + seed + ", life " + life + ")");
                if (life % 2 == 1) {
                    db.compact();
                    assertExact(db, "after a full compaction (seed " + seed + ", life " + life + ")");
                }
            }
        }
    }
}
