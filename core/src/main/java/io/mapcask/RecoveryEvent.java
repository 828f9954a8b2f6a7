package io.mapcask;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** One {@code open} of a store directory: creation or recovery; the fields of {@link RecoveryReport}. */
@Name("io.mapcask.Recovery")
@Label("Mapcask Recovery")
@Category("Mapcask")
@Description("Opening a store: manifest replay, keydir loading from hints or scans, torn tail and orphan cleanup")
final class RecoveryEvent extends Event {
    @Label("Directory")
    String directory;

    @Label("Created")
    @Description("True when the directory held no store and a new one was created")
    boolean created;

    @Label("Checkpoint Segments")
    @Description("Sealed segments whose keys came from the keydir checkpoint")
    int checkpointSegments;

    @Label("Hints Used")
    int hintsUsed;

    @Label("Segments Scanned")
    int segmentsScanned;

    @Label("Hints Rewritten")
    int hintsRewritten;

    @Label("Torn Tail")
    @Description("The active segment ended in a torn record or an incomplete batch, which was dropped")
    boolean tornTail;

    @Label("Bytes Truncated")
    @DataAmount
    long bytesTruncated;

    @Label("Orphans Deleted")
    int orphansDeleted;

    @Label("Manifest Tail Torn")
    boolean manifestTailTorn;

    @Label("Keys")
    long keys;
}
