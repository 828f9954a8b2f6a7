package io.mapcask.kafka.streams;

import java.util.Random;

/**
 * The seed of a randomized test: its fixed default, or {@code -Dmapcask.test.seed=N} to explore
 * or replay (the same switch as core's tests). A failure names the seed through {@link #context}.
 */
final class Seeded {
    private Seeded() {
    }

    static long seed(long defaultSeed) {
        String property = System.getProperty("mapcask.test.seed");
        return property == null || property.isBlank() ? defaultSeed : Long.decode(property.trim());
    }

    static Random random(long seed) {
        return new Random(seed);
    }

    /** @return the prefix of every assertion message of a seeded test */
    static String context(long seed) {
        return "[seed=" + seed + ", replay with -Dmapcask.test.seed=" + seed + "] ";
    }
}
