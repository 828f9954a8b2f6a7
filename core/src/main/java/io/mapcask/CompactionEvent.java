package io.mapcask;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** One committed compaction pass, from the start of its copy to the unlink of its inputs. */
@Name("io.mapcask.Compaction")
@Label("Mapcask Compaction")
@Category("Mapcask")
@Description("Live records of sealed segments copied into new segments, committed by one manifest edit")
final class CompactionEvent extends Event {
    @Label("Directory")
    String directory;

    @Label("Input Segments")
    int inputSegments;

    @Label("Output Segments")
    int outputSegments;

    @Label("Input Bytes")
    @Description("Committed lengths of the input segments")
    @DataAmount
    long inputBytes;

    @Label("Output Bytes")
    @Description("Lengths of the output segments")
    @DataAmount
    long outputBytes;

    @Label("Records Copied")
    long recordsCopied;

    @Label("Tombstones Dropped")
    long tombstonesDropped;
}
