package io.mapcask;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A new active segment was created, after sealing the full one (if any). Its duration covers both. */
@Name("io.mapcask.SegmentRoll")
@Label("Mapcask Segment Roll")
@Category("Mapcask")
@Description("The active data segment was sealed (forced, hint written, manifest edit) and a new one created")
final class SegmentRollEvent extends Event {
    @Label("Directory")
    String directory;

    @Label("Sealed Segment")
    @Description("Id of the segment sealed by this roll; 0 when no segment was active")
    long sealedSegmentId;

    @Label("Sealed Length")
    @Description("Committed length of the sealed segment (header and records)")
    @DataAmount
    long sealedLength;

    @Label("New Segment")
    @Description("Id of the new active segment")
    long newSegmentId;
}
