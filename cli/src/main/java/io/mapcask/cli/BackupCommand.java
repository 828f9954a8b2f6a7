package io.mapcask.cli;

import io.mapcask.Mapcask;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "backup", mixinStandardHelpOptions = true, versionProvider = MapcaskCli.Version.class,
        description = {"Write a consistent copy of the store into DEST: a store of its own, as of one synced"
                + " sequence. Sealed segments are hard-linked (copied across file systems), the active one copied.",
                "DEST must not exist or be an empty directory. A backup that fails midway is removed."
                        + " Prints the backup's sequence."},
        exitCodeListHeading = MapcaskCli.EXIT_CODE_HEADING, exitCodeList = {
                MapcaskCli.EXIT_OK, MapcaskCli.EXIT_USAGE, MapcaskCli.EXIT_LOCKED, MapcaskCli.EXIT_ERROR})
final class BackupCommand implements Callable<Integer> {
    @Mixin
    StoreArgs store;

    @Parameters(index = "1", paramLabel = "DEST", description = "A new or empty directory for the backup.")
    Path dest;

    @Mixin
    ProgressArgs progress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long sequence;
        try (Mapcask db = store.open(); ProgressBar bar = progress.bar(spec, "backup", "bytes")) {
            sequence = db.backup(dest, bar);
        }
        spec.commandLine().getOut().println("backed up " + store.dir + " to " + dest + " at sequence " + sequence);
        return MapcaskCli.OK;
    }
}
