package io.mapcask.cli;

import io.mapcask.Mapcask;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "stats", mixinStandardHelpOptions = true, versionProvider = MapcaskCli.Version.class,
        description = {"Print the store's keys, segments with their live and dead bytes, space amplification,"
                + " keydir size and load, manifest, and what opening it did.",
                "Opens the store like an application: a store that was not closed cleanly is recovered first."},
        exitCodeListHeading = MapcaskCli.EXIT_CODE_HEADING, exitCodeList = {
                MapcaskCli.EXIT_OK, MapcaskCli.EXIT_USAGE, MapcaskCli.EXIT_LOCKED, MapcaskCli.EXIT_ERROR})
final class StatsCommand implements Callable<Integer> {
    @Mixin
    StoreArgs store;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (Mapcask db = store.open()) {
            spec.commandLine().getOut().print(db.stats());
        }
        return MapcaskCli.OK;
    }
}
