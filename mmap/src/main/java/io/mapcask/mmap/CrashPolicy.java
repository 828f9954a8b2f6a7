package io.mapcask.mmap;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Chooses which {@link VolatileUnit}s of a {@link CrashState} a crash image keeps
 * (CRASH-TESTING.md §3), optionally tearing one kept page. All randomness comes from the {@link
 * Random} the caller passes, so a seed reproduces an image.
 *
 * <ul>
 *   <li>{@link #durableOnly()}: nothing volatile survives (a power loss right after the last
 *       barrier).
 *   <li>{@link #allVolatile()}: everything survives (a process crash: the kernel writes back the
 *       page cache). Pages lost by a failed sync (see {@link SimFs}) are not volatile and stay lost.
 *   <li>{@link #prefixPerFile()}: per file, the dirty pages with the lowest page numbers up to a
 *       random count (sequential writeback cut short); directory entry operations: a random prefix
 *       in operation order (a journal cut short); size changes: each with probability 1/2.
 *   <li>{@link #allButOne()} / {@link #onlyOne()}: one random unit is dropped / kept.
 *   <li>{@link #probability(double)}: each unit independently.
 *   <li>All 2<sup>n</sup> subsets: {@link CrashState#allImages()} (no policy needed).
 * </ul>
 *
 * <p>{@link #withTornPage(TornPage)} adds a torn page to any of them.
 */
public final class CrashPolicy {

    public enum Kind { DURABLE_ONLY, ALL_VOLATILE, PREFIX_PER_FILE, ALL_BUT_ONE, ONLY_ONE, PROBABILITY }

    private final Kind kind;
    private final double p;
    private final TornPage torn;

    private CrashPolicy(Kind kind, double p, TornPage torn) {
        this.kind = kind;
        this.p = p;
        this.torn = torn;
    }

    public static CrashPolicy durableOnly() {
        return new CrashPolicy(Kind.DURABLE_ONLY, 0, null);
    }

    public static CrashPolicy allVolatile() {
        return new CrashPolicy(Kind.ALL_VOLATILE, 1, null);
    }

    public static CrashPolicy prefixPerFile() {
        return new CrashPolicy(Kind.PREFIX_PER_FILE, 0.5, null);
    }

    public static CrashPolicy allButOne() {
        return new CrashPolicy(Kind.ALL_BUT_ONE, 0, null);
    }

    public static CrashPolicy onlyOne() {
        return new CrashPolicy(Kind.ONLY_ONE, 0, null);
    }

    public static CrashPolicy probability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1]: " + p);
        }
        return new CrashPolicy(Kind.PROBABILITY, p, null);
    }

    /**
     * The same choice of units, then one kept page (chosen at random) is torn with {@code mode}.
     * When no page is kept, nothing is torn.
     */
    public CrashPolicy withTornPage(TornPage mode) {
        return new CrashPolicy(kind, p, Objects.requireNonNull(mode));
    }

    /** The six policies above without tearing, with p = 1/2. */
    public static List<CrashPolicy> standard() {
        return List.of(durableOnly(), allVolatile(), prefixPerFile(), allButOne(), onlyOne(), probability(0.5));
    }

    public Kind kind() {
        return kind;
    }

    /** The tearing mode, or null. */
    public TornPage tornPage() {
        return torn;
    }

    /** The units to keep: a set of indexes into {@code state.units()}. */
    public BitSet choose(CrashState state, Random rnd) {
        List<VolatileUnit> units = state.units();
        int n = units.size();
        BitSet keep = new BitSet(n);
        switch (kind) {
            case DURABLE_ONLY -> {
            }
            case ALL_VOLATILE -> keep.set(0, n);
            case ALL_BUT_ONE -> {
                keep.set(0, n);
                if (n > 0) {
                    keep.clear(rnd.nextInt(n));
                }
            }
            case ONLY_ONE -> {
                if (n > 0) {
                    keep.set(rnd.nextInt(n));
                }
            }
            case PROBABILITY -> {
                for (int i = 0; i < n; i++) {
                    if (rnd.nextDouble() < p) {
                        keep.set(i);
                    }
                }
            }
            case PREFIX_PER_FILE -> {
                // Units are ordered by file, page number within a file; entries keep their op order.
                List<List<Integer>> pagesByFile = new ArrayList<>();
                List<Integer> entries = new ArrayList<>();
                int lastFile = -1;
                for (int i = 0; i < n; i++) {
                    VolatileUnit u = units.get(i);
                    switch (u.kind()) {
                        case PAGE -> {
                            if (u.file != lastFile) {
                                pagesByFile.add(new ArrayList<>());
                                lastFile = u.file;
                            }
                            pagesByFile.getLast().add(i);
                        }
                        case SIZE -> {
                            if (rnd.nextBoolean()) {
                                keep.set(i);
                            }
                        }
                        case ENTRY -> entries.add(i);
                    }
                }
                for (List<Integer> pages : pagesByFile) {
                    int k = rnd.nextInt(pages.size() + 1);
                    for (int j = 0; j < k; j++) {
                        keep.set(pages.get(j));
                    }
                }
                int k = rnd.nextInt(entries.size() + 1);
                for (int j = 0; j < k; j++) {
                    keep.set(entries.get(j));
                }
            }
        }
        return keep;
    }

    @Override
    public String toString() {
        String s = switch (kind) {
            case DURABLE_ONLY -> "durable-only";
            case ALL_VOLATILE -> "all-volatile";
            case PREFIX_PER_FILE -> "prefix-per-file";
            case ALL_BUT_ONE -> "all-but-one";
            case ONLY_ONE -> "only-one";
            case PROBABILITY -> "p=" + p;
        };
        return torn == null ? s : s + "+torn-" + torn.name().toLowerCase(java.util.Locale.ROOT);
    }
}
