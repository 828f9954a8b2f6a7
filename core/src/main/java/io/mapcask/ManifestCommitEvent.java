package io.mapcask;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** One manifest edit appended and forced: the commit point of a change to the set of live files. */
@Name("io.mapcask.ManifestCommit")
@Label("Mapcask Manifest Commit")
@Category("Mapcask")
@Description("A manifest edit appended and forced (new active segment, seal, compaction, recovery)")
final class ManifestCommitEvent extends Event {
    @Label("Manifest")
    String manifest;

    @Label("Edit Bytes")
    @Description("Size of the record appended (header and payload)")
    @DataAmount
    long editBytes;

    @Label("Segments Added")
    @Description("Entries the edit adds or changes (a sealed segment is re-added as sealed)")
    int segmentsAdded;

    @Label("Segments Removed")
    int segmentsRemoved;
}
