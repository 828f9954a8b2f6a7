package io.mapcask.mmap;

/**
 * How a kept dirty page can reach the disk only in part (CRASH-TESTING.md §3). "Old" is the
 * page's durable content, "new" its live content; sectors are {@value SimFs#SECTOR_SIZE} bytes.
 *
 * <p>The default assumption of the crash suite is that bytes that did not change are never
 * damaged; every mode but {@link #HOSTILE} keeps it. {@link #HOSTILE} breaks it on purpose, for
 * tests whose rule is "detect, never silently lose".
 */
public enum TornPage {
    /** Each sector is old or new, independently at random. */
    SECTORS,
    /** The first k sectors are new and the rest old, 1 &lt;= k &lt; sectors per page. */
    PREFIX,
    /** The last k sectors are new and the rest old, 1 &lt;= k &lt; sectors per page. */
    SUFFIX,
    /**
     * Each aligned 8-byte word is old or new, independently at random: a sector write that is not
     * atomic beyond 8-byte fields (DESIGN.md §10).
     */
    WORDS,
    /** Every byte whose content changed holds a random value (garbage); unchanged bytes are intact. */
    GARBAGE,
    /**
     * The file's new (grown) size reached the disk but the page's data past the old durable size
     * did not: those bytes read as zeros, the bytes below it are new. Forces the file's size unit
     * to be kept.
     */
    ZEROS_GROWN,
    /** Every sector of the page holds random bytes, changed or not. */
    HOSTILE
}
