package io.mapcask;

import java.util.Random;

/**
 * Seeds of the randomized tests. Each test has a fixed default seed, so a run is reproducible;
 * {@code -Dmapcask.test.seed=N} (decimal or {@code 0x} hex; Maven passes it to the forked JVM)
 * replaces it to explore other runs or to replay a failure. Every failure of a seeded test
 * carries the seed in its message, through {@link #run}.
 */
final class TestSeeds {
    /** System property that overrides every test's default seed. */
    static final String PROPERTY = "mapcask.test.seed";

    private TestSeeds() {
    }

    /** @return the seed from {@value #PROPERTY} when set (blank counts as unset), else {@code defaultSeed} */
    static long seed(long defaultSeed) {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            return defaultSeed;
        }
        return Long.decode(v.trim());
    }

    /** @return the text every failure message of a seeded test carries */
    static String describe(long seed) {
        return "seed=" + seed + " (replay with -D" + PROPERTY + "=" + seed + ")";
    }

    /** A test body that receives the test's one seeded {@link Random}. */
    @FunctionalInterface
    interface Body {
        void run(Random random) throws Exception;
    }

    /**
     * Runs {@code body} with one {@link Random} seeded from {@link #seed(long)}; any failure is
     * rethrown as an {@link AssertionError} whose message starts with the seed.
     */
    static void run(long defaultSeed, Body body) {
        long seed = seed(defaultSeed);
        try {
            body.run(new Random(seed));
        } catch (Throwable t) {
            throw new AssertionError("[" + describe(seed) + "] " + t, t);
        }
    }
}
