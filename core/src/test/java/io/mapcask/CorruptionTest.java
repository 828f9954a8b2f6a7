package io.mapcask;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded bit flips and truncations in every kind of store file (DESIGN §7.5, CRASH-TESTING §7):
 * 5,000 by default, 50,000 with {@code -Dmapcask.long=true}. See {@link CorruptionCampaign}.
 */
class CorruptionTest {
    @TempDir
    Path root;

    @Test
    void shouldReportOrSurviveEveryBitFlipAndTruncation() throws IOException {
        long seed = Long.getLong("mapcask.test.seed", 7_2026L);
        int runs = Boolean.getBoolean("mapcask.long") ? 50_000 : 5_000;
        System.out.println("corruption (seed " + seed + "): " + new CorruptionCampaign(root).run(runs, seed));
    }
}
