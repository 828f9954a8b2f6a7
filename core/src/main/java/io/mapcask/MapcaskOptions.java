package io.mapcask;

import java.util.Locale;
import java.util.Objects;
import org.agrona.SystemUtil;

/**
 * The options of one open store, validated. Build with {@link #builder()}: a value set on the
 * builder wins, else the system property named in {@link MapcaskConfig}, else the default
 * there. {@link #build()} validates every option and fails with an {@link
 * IllegalArgumentException} naming the property, the value and the allowed range.
 */
public final class MapcaskOptions {

    /** When a write becomes durable. */
    public enum SyncMode {
        /** Each {@code put}/{@code delete} is forced to disk before it returns. */
        ALWAYS,
        /**
         * Each {@code put}/{@code delete} is durable before it returns, and concurrent writers
         * share one force: the first to find none running forces for all records published so
         * far, the others wait for it (group commit).
         */
        GROUP,
        /** A background thread forces written records every {@code sync.interval}. */
        INTERVAL,
        /** Writes are durable after {@code sync()} (or when the OS writes the pages back). */
        NONE
    }

    private final long segmentSize;
    private final SyncMode syncMode;
    private final int keydirInitialCapacity;
    private final int maxKeySize;
    private final int maxValueSize;
    private final long manifestMaxSize;
    private final boolean verifyChecksums;
    private final double compactionMinDeadRatio;
    private final double compactionSmallSegmentRatio;
    private final int compactionMinSmallSegments;
    private final long syncIntervalNanos;
    private final boolean compactionBackground;
    private final long compactionIntervalNanos;
    private final long compactionRate;
    private final boolean syncSingleFlush;
    private final boolean keydirCheckpoint;
    private final long segmentPopulateAhead;

    private MapcaskOptions(long segmentSize, SyncMode syncMode, int keydirInitialCapacity, int maxKeySize,
            int maxValueSize, long manifestMaxSize, boolean verifyChecksums, double compactionMinDeadRatio,
            double compactionSmallSegmentRatio, int compactionMinSmallSegments, long syncIntervalNanos,
            boolean compactionBackground, long compactionIntervalNanos, long compactionRate, boolean syncSingleFlush,
            boolean keydirCheckpoint, long segmentPopulateAhead) {
        this.keydirCheckpoint = keydirCheckpoint;
        this.segmentPopulateAhead = segmentPopulateAhead;
        this.syncIntervalNanos = syncIntervalNanos;
        this.syncSingleFlush = syncSingleFlush;
        this.compactionBackground = compactionBackground;
        this.compactionIntervalNanos = compactionIntervalNanos;
        this.compactionRate = compactionRate;
        this.compactionMinDeadRatio = compactionMinDeadRatio;
        this.compactionSmallSegmentRatio = compactionSmallSegmentRatio;
        this.compactionMinSmallSegments = compactionMinSmallSegments;
        this.segmentSize = segmentSize;
        this.syncMode = syncMode;
        this.keydirInitialCapacity = keydirInitialCapacity;
        this.maxKeySize = maxKeySize;
        this.maxValueSize = maxValueSize;
        this.manifestMaxSize = manifestMaxSize;
        this.verifyChecksums = verifyChecksums;
    }

    /** @return a builder whose unset options come from system properties, then defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return options from system properties and defaults only */
    public static MapcaskOptions fromSystemProperties() {
        return builder().build();
    }

    /** @return bytes per data segment ({@value MapcaskConfig#SEGMENT_SIZE_PROP_NAME}) */
    public long segmentSize() {
        return segmentSize;
    }

    /** @return the durability mode ({@value MapcaskConfig#SYNC_MODE_PROP_NAME}) */
    public SyncMode syncMode() {
        return syncMode;
    }

    /** @return initial keydir slots ({@value MapcaskConfig#KEYDIR_INITIAL_CAPACITY_PROP_NAME}) */
    public int keydirInitialCapacity() {
        return keydirInitialCapacity;
    }

    /** @return the largest key in bytes ({@value MapcaskConfig#MAX_KEY_SIZE_PROP_NAME}) */
    public int maxKeySize() {
        return maxKeySize;
    }

    /** @return the largest value in bytes ({@value MapcaskConfig#MAX_VALUE_SIZE_PROP_NAME}) */
    public int maxValueSize() {
        return maxValueSize;
    }

    /** @return manifest size that triggers its rewrite ({@value MapcaskConfig#MANIFEST_MAX_SIZE_PROP_NAME}) */
    public long manifestMaxSize() {
        return manifestMaxSize;
    }

    /** @return whether {@code get} verifies record checksums ({@value MapcaskConfig#VERIFY_CHECKSUMS_PROP_NAME}) */
    public boolean verifyChecksums() {
        return verifyChecksums;
    }

    /** @return dead fraction that makes a segment a compaction candidate ({@value MapcaskConfig#COMPACTION_MIN_DEAD_RATIO_PROP_NAME}) */
    public double compactionMinDeadRatio() {
        return compactionMinDeadRatio;
    }

    /** @return fraction of the segment size below which a segment is small ({@value MapcaskConfig#COMPACTION_SMALL_SEGMENT_RATIO_PROP_NAME}) */
    public double compactionSmallSegmentRatio() {
        return compactionSmallSegmentRatio;
    }

    /** @return small segments merged together ({@value MapcaskConfig#COMPACTION_MIN_SMALL_SEGMENTS_PROP_NAME}) */
    public int compactionMinSmallSegments() {
        return compactionMinSmallSegments;
    }

    /** @return nanoseconds between background forces under {@code interval} ({@value MapcaskConfig#SYNC_INTERVAL_PROP_NAME}) */
    public long syncIntervalNanos() {
        return syncIntervalNanos;
    }

    /** @return whether background compaction runs ({@value MapcaskConfig#COMPACTION_BACKGROUND_PROP_NAME}) */
    public boolean compactionBackground() {
        return compactionBackground;
    }

    /** @return nanoseconds between policy checks ({@value MapcaskConfig#COMPACTION_INTERVAL_PROP_NAME}) */
    public long compactionIntervalNanos() {
        return compactionIntervalNanos;
    }

    /** @return compaction's copy budget in bytes per second, 0 for none ({@value MapcaskConfig#COMPACTION_RATE_PROP_NAME}) */
    public long compactionRate() {
        return compactionRate;
    }

    /** @return whether a force costs one device flush, the durable mark lagging by one force ({@value MapcaskConfig#SYNC_SINGLE_FLUSH_PROP_NAME}) */
    public boolean syncSingleFlush() {
        return syncSingleFlush;
    }

    /** @return whether {@code close()} writes the keydir checkpoint ({@value MapcaskConfig#KEYDIR_CHECKPOINT_PROP_NAME}) */
    public boolean keydirCheckpoint() {
        return keydirCheckpoint;
    }

    /**
     * @return how far ahead of the writer, at most, the background thread faults in the active
     *     segment's pages, 0 for never ({@value MapcaskConfig#SEGMENT_POPULATE_AHEAD_PROP_NAME})
     */
    public long segmentPopulateAhead() {
        return segmentPopulateAhead;
    }

    @Override
    public String toString() {
        return "MapcaskOptions{segment.size=" + segmentSize + ", sync.mode=" + syncMode.name().toLowerCase(Locale.ROOT)
                + ", keydir.initial.capacity=" + keydirInitialCapacity + ", max.key.size=" + maxKeySize
                + ", max.value.size=" + maxValueSize + ", manifest.max.size=" + manifestMaxSize
                + ", verify.checksums=" + verifyChecksums + ", compaction.min.dead.ratio=" + compactionMinDeadRatio
                + ", compaction.small.segment.ratio=" + compactionSmallSegmentRatio
                + ", compaction.min.small.segments=" + compactionMinSmallSegments + ", sync.interval="
                + syncIntervalNanos + "ns, compaction.background=" + compactionBackground + ", compaction.interval="
                + compactionIntervalNanos + "ns, compaction.rate=" + compactionRate + ", sync.single.flush=" + syncSingleFlush
                + ", keydir.checkpoint=" + keydirCheckpoint + ", segment.populate.ahead=" + segmentPopulateAhead + "}";
    }

    /** Collects options; nothing is validated before {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private String segmentSize;
        private String syncMode;
        private String keydirInitialCapacity;
        private String maxKeySize;
        private String maxValueSize;
        private String manifestMaxSize;
        private String verifyChecksums;
        private String compactionMinDeadRatio;
        private String compactionSmallSegmentRatio;
        private String compactionMinSmallSegments;
        private String syncInterval;
        private String compactionBackground;
        private String compactionInterval;
        private String compactionRate;
        private String syncSingleFlush;
        private String keydirCheckpoint;
        private String segmentPopulateAhead;

        private Builder() {
        }

        /**
         * @param bytes how far ahead of the writer, at most, the background thread faults in the
         *     active segment's pages; 0 for never
         * @return this builder
         */
        public Builder segmentPopulateAhead(long bytes) {
            this.segmentPopulateAhead = Long.toString(bytes);
            return this;
        }

        /**
         * @param enabled whether a force costs one device flush (the durable mark lagging by one
         *     force) instead of two
         * @return this builder
         */
        public Builder syncSingleFlush(boolean enabled) {
            this.syncSingleFlush = Boolean.toString(enabled);
            return this;
        }

        /**
         * @param interval period of the background force under {@code sync.mode=interval}
         * @return this builder
         */
        public Builder syncInterval(java.time.Duration interval) {
            this.syncInterval = interval.toNanos() + "ns";
            return this;
        }

        /**
         * @param enabled whether a background thread runs policy compaction
         * @return this builder
         */
        public Builder compactionBackground(boolean enabled) {
            this.compactionBackground = Boolean.toString(enabled);
            return this;
        }

        /**
         * @param interval how often background compaction checks the policy
         * @return this builder
         */
        public Builder compactionInterval(java.time.Duration interval) {
            this.compactionInterval = interval.toNanos() + "ns";
            return this;
        }

        /**
         * @param bytesPerSecond upper bound of the bytes compaction copies per second; 0 for none
         * @return this builder
         */
        public Builder compactionRate(long bytesPerSecond) {
            this.compactionRate = Long.toString(bytesPerSecond);
            return this;
        }

        /**
         * @param ratio dead fraction (0..1) that makes a sealed segment a compaction candidate
         * @return this builder
         */
        public Builder compactionMinDeadRatio(double ratio) {
            this.compactionMinDeadRatio = Double.toString(ratio);
            return this;
        }

        /**
         * @param ratio fraction (0..1) of the segment size below which a sealed segment is small
         * @return this builder
         */
        public Builder compactionSmallSegmentRatio(double ratio) {
            this.compactionSmallSegmentRatio = Double.toString(ratio);
            return this;
        }

        /**
         * @param count number of small sealed segments merged together
         * @return this builder
         */
        public Builder compactionMinSmallSegments(long count) {
            this.compactionMinSmallSegments = Long.toString(count);
            return this;
        }

        /**
         * @param bytes size of one data segment
         * @return this builder
         */
        public Builder segmentSize(long bytes) {
            this.segmentSize = Long.toString(bytes);
            return this;
        }

        /**
         * @param mode when writes become durable
         * @return this builder
         */
        public Builder syncMode(SyncMode mode) {
            this.syncMode = Objects.requireNonNull(mode, "mode").name();
            return this;
        }

        /**
         * @param slots initial keydir slots
         * @return this builder
         */
        public Builder keydirInitialCapacity(long slots) {
            this.keydirInitialCapacity = Long.toString(slots);
            return this;
        }

        /**
         * @param bytes largest key accepted
         * @return this builder
         */
        public Builder maxKeySize(long bytes) {
            this.maxKeySize = Long.toString(bytes);
            return this;
        }

        /**
         * @param bytes largest value accepted
         * @return this builder
         */
        public Builder maxValueSize(long bytes) {
            this.maxValueSize = Long.toString(bytes);
            return this;
        }

        /**
         * @param bytes manifest size that triggers its rewrite
         * @return this builder
         */
        public Builder manifestMaxSize(long bytes) {
            this.manifestMaxSize = Long.toString(bytes);
            return this;
        }

        /**
         * @param verify whether {@code get} checks record checksums
         * @return this builder
         */
        public Builder verifyChecksums(boolean verify) {
            this.verifyChecksums = Boolean.toString(verify);
            return this;
        }

        /**
         * @param enabled whether {@code close()} writes the keydir checkpoint for a fast next open
         * @return this builder
         */
        public Builder keydirCheckpoint(boolean enabled) {
            this.keydirCheckpoint = Boolean.toString(enabled);
            return this;
        }

        /**
         * Resolves every option (builder, else system property, else default) and validates it.
         *
         * @return the validated options
         * @throws IllegalArgumentException naming the property, value and range of a bad option
         */
        public MapcaskOptions build() {
            long segment = size(MapcaskConfig.SEGMENT_SIZE_PROP_NAME, segmentSize,
                    MapcaskConfig.SEGMENT_SIZE_DEFAULT_BYTES, MapcaskConfig.SEGMENT_SIZE_MIN_BYTES,
                    MapcaskConfig.SEGMENT_SIZE_MAX_BYTES);
            if (segment % 8 != 0) {
                throw bad(MapcaskConfig.SEGMENT_SIZE_PROP_NAME, Long.toString(segment), "a multiple of 8 bytes");
            }
            SyncMode mode = syncMode(resolve(MapcaskConfig.SYNC_MODE_PROP_NAME, syncMode));
            long capacity = count(MapcaskConfig.KEYDIR_INITIAL_CAPACITY_PROP_NAME, keydirInitialCapacity,
                    MapcaskConfig.KEYDIR_INITIAL_CAPACITY_DEFAULT_SLOTS, MapcaskConfig.KEYDIR_INITIAL_CAPACITY_MIN_SLOTS,
                    MapcaskConfig.KEYDIR_INITIAL_CAPACITY_MAX_SLOTS);
            // Room for one record's key and value in a segment (records are padded to 8 bytes).
            long room = (segment - SegmentHeader.DATA_START - RecordFormat.HEADER_SIZE) & ~7L;
            long maxKey = size(MapcaskConfig.MAX_KEY_SIZE_PROP_NAME, maxKeySize,
                    Math.min(MapcaskConfig.MAX_KEY_SIZE_DEFAULT_BYTES, room / 4), 1, RecordFormat.MAX_KEY_LENGTH);
            long valueCap = Math.min(room - maxKey, Integer.MAX_VALUE - 8);
            if (valueCap < 0) {
                throw bad(MapcaskConfig.MAX_KEY_SIZE_PROP_NAME, Long.toString(maxKey), "at most " + room
                        + " bytes, so that a record fits in a segment of " + MapcaskConfig.SEGMENT_SIZE_PROP_NAME
                        + "=" + segment + " bytes");
            }
            long maxValue = size(MapcaskConfig.MAX_VALUE_SIZE_PROP_NAME, maxValueSize,
                    Math.min(MapcaskConfig.MAX_VALUE_SIZE_DEFAULT_BYTES, valueCap), 0, valueCap);
            long manifestMax = size(MapcaskConfig.MANIFEST_MAX_SIZE_PROP_NAME, manifestMaxSize,
                    MapcaskConfig.MANIFEST_MAX_SIZE_DEFAULT_BYTES, MapcaskConfig.MANIFEST_MAX_SIZE_MIN_BYTES,
                    MapcaskConfig.MANIFEST_MAX_SIZE_MAX_BYTES);
            boolean verify = bool(MapcaskConfig.VERIFY_CHECKSUMS_PROP_NAME, verifyChecksums,
                    MapcaskConfig.VERIFY_CHECKSUMS_DEFAULT);
            double deadRatio = fraction(MapcaskConfig.COMPACTION_MIN_DEAD_RATIO_PROP_NAME, compactionMinDeadRatio,
                    MapcaskConfig.COMPACTION_MIN_DEAD_RATIO_DEFAULT);
            double smallRatio = fraction(MapcaskConfig.COMPACTION_SMALL_SEGMENT_RATIO_PROP_NAME,
                    compactionSmallSegmentRatio, MapcaskConfig.COMPACTION_SMALL_SEGMENT_RATIO_DEFAULT);
            long minSmall = count(MapcaskConfig.COMPACTION_MIN_SMALL_SEGMENTS_PROP_NAME, compactionMinSmallSegments,
                    MapcaskConfig.COMPACTION_MIN_SMALL_SEGMENTS_DEFAULT, 2, 1_000_000);
            long syncIntervalNs = duration(MapcaskConfig.SYNC_INTERVAL_PROP_NAME, syncInterval,
                    MapcaskConfig.SYNC_INTERVAL_DEFAULT_NS);
            boolean background = bool(MapcaskConfig.COMPACTION_BACKGROUND_PROP_NAME, compactionBackground,
                    MapcaskConfig.COMPACTION_BACKGROUND_DEFAULT);
            long compactionIntervalNs = duration(MapcaskConfig.COMPACTION_INTERVAL_PROP_NAME, compactionInterval,
                    MapcaskConfig.COMPACTION_INTERVAL_DEFAULT_NS);
            long rate = size(MapcaskConfig.COMPACTION_RATE_PROP_NAME, compactionRate,
                    MapcaskConfig.COMPACTION_RATE_DEFAULT_BYTES_PER_SECOND, 0, 1L << 30);
            boolean singleFlush = bool(MapcaskConfig.SYNC_SINGLE_FLUSH_PROP_NAME, syncSingleFlush,
                    MapcaskConfig.SYNC_SINGLE_FLUSH_DEFAULT);
            boolean checkpoint = bool(MapcaskConfig.KEYDIR_CHECKPOINT_PROP_NAME, keydirCheckpoint,
                    MapcaskConfig.KEYDIR_CHECKPOINT_DEFAULT);
            long populateAhead = size(MapcaskConfig.SEGMENT_POPULATE_AHEAD_PROP_NAME, segmentPopulateAhead,
                    MapcaskConfig.SEGMENT_POPULATE_AHEAD_DEFAULT_BYTES, 0, 1L << 30);
            return new MapcaskOptions(segment, mode, (int) capacity, (int) maxKey, (int) maxValue, manifestMax, verify,
                    deadRatio, smallRatio, (int) minSmall, syncIntervalNs, background, compactionIntervalNs, rate,
                    singleFlush, checkpoint, populateAhead);
        }

        /** Builder value, else system property; blank counts as unset (DESIGN §10). */
        private static String resolve(String property, String explicit) {
            if (explicit != null) {
                return explicit;
            }
            String v = System.getProperty(property);
            return v == null || v.isBlank() ? null : v.trim();
        }

        private static long size(String property, String explicit, long def, long min, long max) {
            String v = resolve(property, explicit);
            long value;
            if (v == null) {
                value = def;
            } else {
                try {
                    value = SystemUtil.parseSize(property, v);
                } catch (RuntimeException e) {
                    throw bad(property, v, "a size in bytes (e.g. 65536, 64k, 64m, 1g) between " + min + " and " + max);
                }
            }
            if (value < min || value > max) {
                throw bad(property, v == null ? Long.toString(value) : v, "between " + min + " and " + max + " bytes");
            }
            return value;
        }

        private static long count(String property, String explicit, long def, long min, long max) {
            String v = resolve(property, explicit);
            long value;
            if (v == null) {
                value = def;
            } else {
                try {
                    value = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw bad(property, v, "an integer between " + min + " and " + max);
                }
            }
            if (value < min || value > max) {
                throw bad(property, v, "an integer between " + min + " and " + max);
            }
            return value;
        }

        private static long duration(String property, String explicit, long defNanos) {
            String v = resolve(property, explicit);
            if (v == null) {
                return defNanos;
            }
            long value;
            try {
                value = SystemUtil.parseDuration(property, v);
            } catch (RuntimeException e) {
                throw bad(property, v, "a duration (e.g. 10ms, 1s) between 1ms and 1h");
            }
            if (value < 1_000_000L || value > 3_600_000_000_000L) {
                throw bad(property, v, "a duration between 1ms and 1h");
            }
            return value;
        }

        private static double fraction(String property, String explicit, double def) {
            String v = resolve(property, explicit);
            if (v == null) {
                return def;
            }
            double value;
            try {
                value = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw bad(property, v, "a number between 0 and 1");
            }
            if (!(value >= 0 && value <= 1)) {
                throw bad(property, v, "a number between 0 and 1");
            }
            return value;
        }

        private static boolean bool(String property, String explicit, boolean def) {
            String v = resolve(property, explicit);
            if (v == null) {
                return def;
            }
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw bad(property, v, "true or false");
            };
        }

        private static SyncMode syncMode(String v) {
            if (v == null) {
                return SyncMode.valueOf(MapcaskConfig.SYNC_MODE_DEFAULT.toUpperCase(Locale.ROOT));
            }
            for (SyncMode m : SyncMode.values()) {
                if (m.name().equalsIgnoreCase(v)) {
                    return m;
                }
            }
            throw bad(MapcaskConfig.SYNC_MODE_PROP_NAME, v, "always, group, interval or none");
        }

        private static IllegalArgumentException bad(String property, String value, String range) {
            return new IllegalArgumentException("invalid " + property + "=" + value + ": must be " + range);
        }
    }
}
