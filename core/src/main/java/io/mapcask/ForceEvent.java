package io.mapcask;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** Newly written records of the active segment were forced to disk, then its durable mark. */
@Name("io.mapcask.Force")
@Label("Mapcask Force")
@Category("Mapcask")
@Description("msync of the active segment's new records and of its durable mark (sync(), sync.mode, sealing)")
final class ForceEvent extends Event {
    @Label("Segment")
    String segment;

    @Label("Bytes")
    @Description("Record bytes forced")
    @DataAmount
    long bytes;

    @Label("Durable End")
    @Description("Offset up to which the segment is now durable")
    long durableEnd;
}
