package io.mapcask;

import java.nio.file.Path;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** An IO operation of the store failed; with {@link #failStop} the instance now refuses writes until reopened. */
@Name("io.mapcask.IoError")
@Label("Mapcask IO Error")
@Category("Mapcask")
@Description("A failed write, force, fsync or rename: fail-stop, or an abandoned compaction or segment creation")
final class IoErrorEvent extends Event {
    @Label("Directory")
    String directory;

    @Label("Operation")
    @Description("What failed, e.g. 'sync of <dir>'")
    String operation;

    @Label("Message")
    String message;

    @Label("Fail-Stop")
    @Description("True when the store now refuses writes and sync() until it is reopened")
    boolean failStop;

    /** Records the failure when JFR runs; not a hot path (it happens once per failure). */
    static void emit(Path dir, String operation, Throwable cause, boolean failStop) {
        if (!Jfr.on()) {
            return;
        }
        IoErrorEvent e = new IoErrorEvent();
        if (e.shouldCommit()) {
            e.directory = dir.toString();
            e.operation = operation;
            e.message = String.valueOf(cause);
            e.failStop = failStop;
            e.commit();
        }
    }
}
