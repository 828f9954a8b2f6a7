package io.mapcask;

/**
 * A test-only switch that breaks one step of the crash-safety protocol at a time, so the crash
 * suite can show that it catches each known way of getting it wrong (CRASH-TESTING.md §5). In
 * production {@link #active} is always {@link #NONE}; each check is one volatile read on a
 * path that already performs IO.
 */
enum ProtocolMutant {
    NONE,
    /** Compaction unlinks its inputs before the manifest commit (the seed engines' bug). */
    UNLINK_BEFORE_COMMIT,
    /** Compaction skips the directory fsync after creating its outputs. */
    SKIP_OUTPUT_DIRECTORY_SYNC,
    /** Compaction skips the fsync of its outputs before the commit. */
    SKIP_OUTPUT_FORCE,
    /** The manifest edit is written but not forced. */
    SKIP_MANIFEST_FORCE,
    /** Recovery loads every hint it finds, as if segments were discovered by listing, unchecked. */
    TRUST_ANY_HINT,
    /** Compaction drops live tombstones while older versions live outside it. */
    DROP_TOMBSTONES_WITHOUT_RULE,
    /** CURRENT is renamed into place without the directory fsync, then the old manifest unlinked. */
    CURRENT_RENAME_WITHOUT_DIRECTORY_SYNC,
    /** Recovery treats a bad record below the durable mark as a torn tail and truncates it. */
    TRUNCATE_BELOW_DURABLE_MARK,
    /** Under {@code sync.single.flush}, the mark claims the records of the very flush that carries it. */
    SINGLE_FLUSH_MARK_CLAIMS_ITS_OWN_RECORDS,
    /**
     * Recovery loads a keydir checkpoint whose CRC and seed match without checking that the
     * segments it covers are still live as they were (a checkpoint that outlived a compaction).
     */
    TRUST_STALE_CHECKPOINT;

    /** The mutant in force; only tests change it. */
    static volatile ProtocolMutant active = NONE;

    static boolean is(ProtocolMutant m) {
        return active == m;
    }
}
