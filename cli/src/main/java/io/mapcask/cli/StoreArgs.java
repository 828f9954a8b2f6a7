package io.mapcask.cli;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** The store directory every command takes first, and how commands open it. */
class StoreArgs {
    @Parameters(index = "0", paramLabel = "DIR", description = "The store directory.")
    Path dir;

    /**
     * Opens the store like an application does (a store that was not closed cleanly is recovered
     * first), without background compaction. Refuses a directory that holds no store, so that a
     * typo does not create one.
     *
     * @throws io.mapcask.MapcaskLockedException when another process holds it
     */
    Mapcask open() {
        requireStore();
        return Mapcask.open(dir, MapcaskOptions.builder().compactionBackground(false).build());
    }

    /** Opens the store, creating it when {@code create} and the directory is missing or empty. */
    Mapcask open(boolean create) {
        if (!create) {
            return open();
        }
        return Mapcask.open(dir, MapcaskOptions.builder().compactionBackground(false).build());
    }

    void requireStore() {
        if (!Files.isDirectory(dir)) {
            throw new CliException(MapcaskCli.ERROR, dir + " is not a directory");
        }
        if (!Files.isRegularFile(dir.resolve("CURRENT"))) {
            throw new CliException(MapcaskCli.ERROR, dir + " holds no Mapcask store (it has no CURRENT file)");
        }
    }
}
