package io.mapcask.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * W5 after a kill, Mapcask only: as {@link W5ReopenBenchmark}, but before each reopen (outside
 * the timing) the keydir checkpoint that the last clean close wrote ({@code KEYDIR}, see
 * docs/format.md) is deleted, as a process killed before its first clean close leaves the store:
 * every sealed segment is then loaded from its hint file. Not reproduced: the unsealed active
 * segment such a kill also leaves (at most one segment, scanned and sealed by the reopen). The
 * difference to {@code W5.reopen} is what the checkpoint saves.
 */
public class W5KillReopenBenchmark extends W5ReopenBenchmark {

    /** The name of the keydir checkpoint in a store directory (docs/format.md). */
    static final String KEYDIR_CHECKPOINT = "KEYDIR";

    @Setup(Level.Iteration)
    public void forgetTheCleanClose() {
        if (!engine.equals(MapcaskEngine.NAME)) {
            throw new IllegalStateException("W5 after a kill is measured for Mapcask only, not '" + engine + "'");
        }
        try {
            Files.deleteIfExists(storeDir.resolve(KEYDIR_CHECKPOINT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Benchmark
    public byte[] reopenAfterKill() {
        return reopen();
    }
}
