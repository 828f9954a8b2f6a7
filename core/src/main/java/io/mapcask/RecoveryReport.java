package io.mapcask;

import java.time.Duration;

/**
 * What opening the store did: create it, or recover it (DESIGN §6). Part of {@link
 * MapcaskStats}; also emitted as the JFR event {@code io.mapcask.Recovery}.
 *
 * @param created true when the directory held no store and a new one was created (every count is 0)
 * @param duration from the start of {@code open} to the store being ready, lock and all
 * @param checkpointSegments sealed segments whose keys came from the keydir checkpoint (0 when
 *     none was used)
 * @param hintsUsed sealed segments loaded from their hint files without reading their records
 * @param segmentsScanned segments whose records were read instead: sealed ones without a trusted
 *     hint, plus the active segment a crash or a running writer left
 * @param hintsRewritten hints written for sealed segments whose hint was missing or not trusted
 * @param tornTail true when the active segment ended in a torn record or an incomplete atomic
 *     batch (above its durable mark), which recovery dropped: writes that were never acknowledged
 *     as durable
 * @param bytesTruncated bytes given back by cutting the recovered active segment at its last
 *     intact record (the torn tail and the unused preallocated space), or by deleting an active
 *     segment that held no intact record
 * @param orphansDeleted files that no manifest edit names (leftovers of a crash, a compaction
 *     that never committed, a removed segment whose unlink did not happen) deleted by recovery
 * @param manifestTailTorn true when the manifest's last edit was torn and the manifest was
 *     rewritten without it
 * @param keys keys present after loading (tombstones not counted)
 */
public record RecoveryReport(boolean created, Duration duration, int checkpointSegments, int hintsUsed,
        int segmentsScanned,
        int hintsRewritten, boolean tornTail, long bytesTruncated, int orphansDeleted, boolean manifestTailTorn,
        long keys) {

    /** @return one line an operator can read */
    @Override
    public String toString() {
        if (created) {
            return "created a new store in " + MapcaskStats.millis(duration.toNanos());
        }
        return "recovered in " + MapcaskStats.millis(duration.toNanos()) + ": " + keys + " keys, "
                + checkpointSegments + " segments loaded from the keydir checkpoint, " + hintsUsed
                + " from hints, " + segmentsScanned + " scanned, " + hintsRewritten
                + " hints rewritten, " + (tornTail ? "torn tail dropped" : "no torn tail") + ", " + bytesTruncated
                + " bytes truncated, " + orphansDeleted + " orphan files deleted"
                + (manifestTailTorn ? ", torn manifest edit dropped" : "");
    }
}
