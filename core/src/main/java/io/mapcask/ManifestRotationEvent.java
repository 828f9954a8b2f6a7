package io.mapcask;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** The live set was written as the snapshot of a new manifest and CURRENT switched to it. */
@Name("io.mapcask.ManifestRotation")
@Label("Mapcask Manifest Rotation")
@Category("Mapcask")
@Description("A new MANIFEST-<n> holding a snapshot of the live set replaced the old one")
final class ManifestRotationEvent extends Event {
    /** {@link #reason}: the manifest grew past {@code mapcask.manifest.max.size}. */
    static final String SIZE = "size";
    /** {@link #reason}: recovery found a torn last edit and rewrote the manifest without it. */
    static final String TORN_TAIL = "torn tail";

    @Label("Directory")
    String directory;

    @Label("Previous Number")
    long previousNumber;

    @Label("Number")
    long number;

    @Label("Previous Bytes")
    @Description("Size of the manifest replaced")
    @DataAmount
    long previousBytes;

    @Label("Reason")
    @Description("'size' (grown past mapcask.manifest.max.size) or 'torn tail' (recovery)")
    String reason;
}
