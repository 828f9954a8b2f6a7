package io.mapcask;

/**
 * Counts durations in fixed log-linear buckets: four buckets per power of two of nanoseconds,
 * so a percentile read from it is at most 25% above the true value. 248 buckets cover every
 * positive {@code long}; recording allocates nothing. Not thread-safe: the owner serializes
 * {@link #record} and the reads (the store's force lock).
 */
final class LatencyHistogram {
    private static final int SUB_BUCKETS = 4;
    private static final int BUCKETS = 62 * SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private long count;
    private long totalNanos;
    private long maxNanos;

    void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[bucket(v)]++;
        count++;
        totalNanos += v;
        maxNanos = Math.max(maxNanos, v);
    }

    /** Values 0..3 have a bucket each; above, bucket = 4 * (exponent - 1) + the next two bits. */
    static int bucket(long v) {
        if (v < SUB_BUCKETS) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v);
        return (exponent - 1) * SUB_BUCKETS + (int) ((v >>> (exponent - 2)) & (SUB_BUCKETS - 1));
    }

    /** @return the largest value that falls into {@code bucket} */
    static long upperBound(int bucket) {
        if (bucket < SUB_BUCKETS) {
            return bucket;
        }
        int exponent = bucket / SUB_BUCKETS + 1;
        long sub = bucket % SUB_BUCKETS;
        long lower = (SUB_BUCKETS + sub) << (exponent - 2);
        return lower + (1L << (exponent - 2)) - 1;
    }

    long count() {
        return count;
    }

    long totalNanos() {
        return totalNanos;
    }

    long maxNanos() {
        return maxNanos;
    }

    /**
     * @param fraction 0 .. 1, e.g. 0.99
     * @return the upper bound of the bucket holding that fraction of the values (never above the
     *     maximum recorded), or 0 when nothing was recorded
     */
    long percentile(double fraction) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(fraction * count));
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += counts[b];
            if (seen >= rank) {
                return Math.min(upperBound(b), maxNanos);
            }
        }
        return maxNanos;
    }
}
