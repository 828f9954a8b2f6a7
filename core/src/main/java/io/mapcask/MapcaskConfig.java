package io.mapcask;

import java.util.List;

/**
 * Every configuration option of Mapcask, in one place: its system property, its default (the
 * constant's name carries the unit) and its allowed range. {@link MapcaskOptions} takes its
 * defaults from here and validates against these ranges when it is built, which happens when a
 * store is opened. {@code docs/configuration.md} lists the same options; a test keeps the two
 * in step.
 *
 * <p>Sizes accept a plain number of bytes or a {@code k}, {@code m} or {@code g} suffix
 * ({@code 64m}); durations a number with {@code ns}, {@code us}, {@code ms} or {@code s}
 * ({@code 10ms}); booleans accept {@code true} and {@code false}.
 */
public final class MapcaskConfig {

    /** Size of one data segment file; a record (header, key and value) must fit in one. */
    public static final String SEGMENT_SIZE_PROP_NAME = "mapcask.segment.size";
    /** Default of {@link #SEGMENT_SIZE_PROP_NAME}: 64 MiB. */
    public static final long SEGMENT_SIZE_DEFAULT_BYTES = 64L << 20;
    /** Smallest accepted segment size: 16 KiB. */
    public static final long SEGMENT_SIZE_MIN_BYTES = 16L << 10;
    /** Largest accepted segment size: 1 GiB (a keydir location holds offsets below it). */
    public static final long SEGMENT_SIZE_MAX_BYTES = 1L << 30;

    /**
     * When a write is durable: {@code always} (forced before {@code put} returns), {@code group}
     * (durable before {@code put} returns, one force shared by concurrent writers), {@code
     * interval} (a background force every {@code sync.interval}) or {@code none} (at {@code
     * sync()}).
     */
    public static final String SYNC_MODE_PROP_NAME = "mapcask.sync.mode";
    /** Default of {@link #SYNC_MODE_PROP_NAME}. */
    public static final String SYNC_MODE_DEFAULT = "none";

    /** Period of the background force under {@code sync.mode=interval}. */
    public static final String SYNC_INTERVAL_PROP_NAME = "mapcask.sync.interval";
    /** Default of {@link #SYNC_INTERVAL_PROP_NAME}: 10 ms. */
    public static final long SYNC_INTERVAL_DEFAULT_NS = 10_000_000L;

    /**
     * Whether a force of the active segment costs one device flush instead of two: the durable
     * mark that vouches for a force's records is then written with the next force instead of
     * being flushed after them. Every acknowledged write stays durable either way; what the
     * second flush buys is that recovery can tell a damaged record of the last force before a
     * crash (reported as corruption) from a torn one (dropped as the tail).
     */
    public static final String SYNC_SINGLE_FLUSH_PROP_NAME = "mapcask.sync.single.flush";
    /** Default of {@link #SYNC_SINGLE_FLUSH_PROP_NAME}. */
    public static final boolean SYNC_SINGLE_FLUSH_DEFAULT = false;

    /** Whether a background thread runs policy compaction. */
    public static final String COMPACTION_BACKGROUND_PROP_NAME = "mapcask.compaction.background";
    /** Default of {@link #COMPACTION_BACKGROUND_PROP_NAME}. */
    public static final boolean COMPACTION_BACKGROUND_DEFAULT = true;

    /** How often background compaction checks the policy. */
    public static final String COMPACTION_INTERVAL_PROP_NAME = "mapcask.compaction.interval";
    /** Default of {@link #COMPACTION_INTERVAL_PROP_NAME}: 1 s. */
    public static final long COMPACTION_INTERVAL_DEFAULT_NS = 1_000_000_000L;

    /** Upper bound of the bytes compaction copies per second; 0 for no limit. */
    public static final String COMPACTION_RATE_PROP_NAME = "mapcask.compaction.rate";
    /** Default of {@link #COMPACTION_RATE_PROP_NAME}: unlimited. */
    public static final long COMPACTION_RATE_DEFAULT_BYTES_PER_SECOND = 0;

    /**
     * How far ahead of the writer the background thread faults the active segment's pages in for
     * writing, at most (it reaches no further than the store has written since it opened); 0 for
     * never.
     */
    public static final String SEGMENT_POPULATE_AHEAD_PROP_NAME = "mapcask.segment.populate.ahead";
    /** Default of {@link #SEGMENT_POPULATE_AHEAD_PROP_NAME}: 16 MiB. */
    public static final long SEGMENT_POPULATE_AHEAD_DEFAULT_BYTES = 16L << 20;

    /** Slots the keydir starts with; it grows by itself, so this only avoids early growth. */
    public static final String KEYDIR_INITIAL_CAPACITY_PROP_NAME = "mapcask.keydir.initial.capacity";
    /** Default of {@link #KEYDIR_INITIAL_CAPACITY_PROP_NAME}: 1024 slots. */
    public static final long KEYDIR_INITIAL_CAPACITY_DEFAULT_SLOTS = 1024;
    /** Smallest accepted initial keydir capacity: 16 slots. */
    public static final long KEYDIR_INITIAL_CAPACITY_MIN_SLOTS = 16;
    /** Largest accepted initial keydir capacity: 2^30 slots. */
    public static final long KEYDIR_INITIAL_CAPACITY_MAX_SLOTS = 1L << 30;

    /**
     * Largest key accepted by {@code put}. When unset it is the smaller of 65,535 bytes and a
     * quarter of what a segment holds.
     */
    public static final String MAX_KEY_SIZE_PROP_NAME = "mapcask.max.key.size";
    /** Default upper bound of {@link #MAX_KEY_SIZE_PROP_NAME}: 65,535 bytes, also the format's limit. */
    public static final long MAX_KEY_SIZE_DEFAULT_BYTES = 65_535;

    /**
     * Largest value accepted by {@code put}. When unset it is the smaller of 16 MiB and what fits
     * in a segment next to a key of {@link #MAX_KEY_SIZE_PROP_NAME} bytes (a segment holds
     * {@code segment.size - 4120} bytes of keys and values: a 4096-byte header, a 24-byte record
     * header).
     */
    public static final String MAX_VALUE_SIZE_PROP_NAME = "mapcask.max.value.size";
    /** Default upper bound of {@link #MAX_VALUE_SIZE_PROP_NAME}: 16 MiB. */
    public static final long MAX_VALUE_SIZE_DEFAULT_BYTES = 16L << 20;

    /** Size past which the manifest is rewritten as a one-edit snapshot in a new file. */
    public static final String MANIFEST_MAX_SIZE_PROP_NAME = "mapcask.manifest.max.size";
    /** Default of {@link #MANIFEST_MAX_SIZE_PROP_NAME}: 4 MiB. */
    public static final long MANIFEST_MAX_SIZE_DEFAULT_BYTES = 4L << 20;
    /** Smallest accepted manifest size limit: 1 KiB. */
    public static final long MANIFEST_MAX_SIZE_MIN_BYTES = 1L << 10;
    /** Largest accepted manifest size limit: 1 GiB. */
    public static final long MANIFEST_MAX_SIZE_MAX_BYTES = 1L << 30;

    /**
     * Whether {@code get} checks each record's CRC32C before returning its value, so that a bit
     * flip in a sealed segment is reported instead of returned.
     */
    public static final String VERIFY_CHECKSUMS_PROP_NAME = "mapcask.verify.checksums";
    /** Default of {@link #VERIFY_CHECKSUMS_PROP_NAME}. */
    public static final boolean VERIFY_CHECKSUMS_DEFAULT = true;

    /** A sealed segment whose dead bytes are at least this fraction of its record bytes is compacted. */
    public static final String COMPACTION_MIN_DEAD_RATIO_PROP_NAME = "mapcask.compaction.min.dead.ratio";
    /** Default of {@link #COMPACTION_MIN_DEAD_RATIO_PROP_NAME}: half dead. */
    public static final double COMPACTION_MIN_DEAD_RATIO_DEFAULT = 0.5;

    /** A sealed segment smaller than this fraction of {@code segment.size} counts as small. */
    public static final String COMPACTION_SMALL_SEGMENT_RATIO_PROP_NAME = "mapcask.compaction.small.segment.ratio";
    /** Default of {@link #COMPACTION_SMALL_SEGMENT_RATIO_PROP_NAME}: a quarter of a segment. */
    public static final double COMPACTION_SMALL_SEGMENT_RATIO_DEFAULT = 0.25;

    /** This many small sealed segments are merged together (the size-tiered idea). */
    public static final String COMPACTION_MIN_SMALL_SEGMENTS_PROP_NAME = "mapcask.compaction.min.small.segments";
    /** Default of {@link #COMPACTION_MIN_SMALL_SEGMENTS_PROP_NAME}: 4 segments. */
    public static final long COMPACTION_MIN_SMALL_SEGMENTS_DEFAULT = 4;

    /**
     * Whether {@code close()} writes the keydir checkpoint ({@code KEYDIR}), which the next open
     * loads in bulk instead of reading every hint file.
     */
    public static final String KEYDIR_CHECKPOINT_PROP_NAME = "mapcask.keydir.checkpoint";
    /** Default of {@link #KEYDIR_CHECKPOINT_PROP_NAME}. */
    public static final boolean KEYDIR_CHECKPOINT_DEFAULT = true;

    /**
     * One option as documented.
     *
     * @param property the system property
     * @param defaultValue the default, with its unit
     * @param range the accepted values
     * @param description what it controls
     */
    public record Option(String property, String defaultValue, String range, String description) {
    }

    /** Every option, in the order of {@code docs/configuration.md}. */
    public static final List<Option> OPTIONS = List.of(
            new Option(SEGMENT_SIZE_PROP_NAME, "64m (bytes)", "16k .. 1g",
                    "size of one preallocated, mapped data segment"),
            new Option(SEGMENT_POPULATE_AHEAD_PROP_NAME, "16m (bytes; 0: never)", "0 .. 1g",
                    "how far ahead of the writer a background thread faults in the active segment's pages"),
            new Option(SYNC_MODE_PROP_NAME, SYNC_MODE_DEFAULT, "always | group | interval | none",
                    "always: forced before put/delete returns; group: durable before put/delete returns, one force"
                            + " shared by concurrent writers; interval: a background force every sync.interval;"
                            + " none: durable at sync() or when the OS writes back"),
            new Option(SYNC_SINGLE_FLUSH_PROP_NAME, "false", "true | false",
                    "one device flush per force (the durable mark lags by one force) instead of two"),
            new Option(SYNC_INTERVAL_PROP_NAME, "10ms (duration)", "1ms .. 1h",
                    "period of the background force under sync.mode=interval"),
            new Option(KEYDIR_INITIAL_CAPACITY_PROP_NAME, "1024 (slots)", "16 .. 2^30",
                    "initial slots of the off-heap keydir; it grows by itself"),
            new Option(MAX_KEY_SIZE_PROP_NAME, "min(65535, (segment.size - 4120) / 4) (bytes)", "1 .. 65535",
                    "largest key accepted"),
            new Option(MAX_VALUE_SIZE_PROP_NAME, "min(16m, what fits in a segment) (bytes)",
                    "0 .. segment.size - 4120 - max.key.size", "largest value accepted"),
            new Option(MANIFEST_MAX_SIZE_PROP_NAME, "4m (bytes)", "1k .. 1g",
                    "manifest size that triggers its rewrite as a snapshot"),
            new Option(VERIFY_CHECKSUMS_PROP_NAME, "true", "true | false",
                    "check each record's CRC32C on get"),
            new Option(COMPACTION_MIN_DEAD_RATIO_PROP_NAME, "0.5 (fraction)", "0 .. 1",
                    "dead fraction of a sealed segment that makes the policy compact it"),
            new Option(COMPACTION_SMALL_SEGMENT_RATIO_PROP_NAME, "0.25 (fraction of segment.size)", "0 .. 1",
                    "a sealed segment below this size is small"),
            new Option(COMPACTION_MIN_SMALL_SEGMENTS_PROP_NAME, "4 (segments)", "2 .. 1000000",
                    "number of small sealed segments that the policy merges together"),
            new Option(COMPACTION_BACKGROUND_PROP_NAME, "true", "true | false",
                    "whether a background thread runs policy compaction"),
            new Option(COMPACTION_INTERVAL_PROP_NAME, "1s (duration)", "1ms .. 1h",
                    "how often background compaction checks the policy"),
            new Option(COMPACTION_RATE_PROP_NAME, "0 (bytes per second; 0: no limit)", "0 .. 1g",
                    "upper bound of the bytes compaction copies per second"),
            new Option(KEYDIR_CHECKPOINT_PROP_NAME, "true", "true | false",
                    "whether close() writes the keydir checkpoint that the next open loads instead of the hints"));

    private MapcaskConfig() {
    }
}
