package io.mapcask.cli;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskStats;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "compact", mixinStandardHelpOptions = true, versionProvider = MapcaskCli.Version.class,
        description = {"Run one full compaction: seal the active segment, copy every live record into new segments,"
                + " commit them through the manifest and delete the old ones.",
                "Crash-safe at every step. Prints what it reclaimed."},
        exitCodeListHeading = MapcaskCli.EXIT_CODE_HEADING, exitCodeList = {
                MapcaskCli.EXIT_OK, MapcaskCli.EXIT_USAGE, MapcaskCli.EXIT_LOCKED, MapcaskCli.EXIT_ERROR})
final class CompactCommand implements Callable<Integer> {
    @Mixin
    StoreArgs store;

    @Mixin
    ProgressArgs progress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (Mapcask db = store.open()) {
            MapcaskStats before = db.stats();
            try (ProgressBar bar = progress.bar(spec, "compact", "bytes")) {
                db.compact(bar);
            }
            MapcaskStats after = db.stats();
            spec.commandLine().getOut().println(String.format(Locale.ROOT,
                    "compacted %d segments into %d: %,d bytes reclaimed, %d records copied, %d tombstones dropped;"
                            + " space amplification %.3f -> %.3f",
                    before.segments().size(), after.segments().size(), after.compactionBytesReclaimed(),
                    after.compactionRecordsCopied(), after.compactionTombstonesDropped(),
                    before.spaceAmplification(), after.spaceAmplification()));
        }
        return MapcaskCli.OK;
    }
}
