package io.mapcask.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The {@code --no-progress} option of the commands that do long work, and their progress bar. */
final class ProgressArgs {
    @Option(names = "--no-progress", description = "Draw no progress bar, even on a terminal.")
    boolean noProgress;

    /** @return a bar on the command's stderr, drawn only on a terminal and without {@code --no-progress} */
    ProgressBar bar(CommandSpec spec, String label, String unit) {
        MapcaskCli cli = (MapcaskCli) spec.root().userObject();
        return new ProgressBar(spec.commandLine().getErr(), label, unit, cli.io.interactive() && !noProgress);
    }
}
