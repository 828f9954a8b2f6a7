package io.mapcask.cli;

import io.mapcask.Mapcask;
import io.mapcask.VerificationReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = MapcaskCli.Version.class,
        description = {"Check every file of the store without changing anything: CURRENT, the manifest's edits,"
                + " every record's CRC in every live segment (a torn tail is allowed only above the durable mark of"
                + " the active segment), and every hint entry against the record it names.",
                "Prints one line per problem and warning (file and byte offset), then a summary.",
                "Does not run recovery: run it first after a crash. Refuses a store held by another process."},
        exitCodeListHeading = MapcaskCli.EXIT_CODE_HEADING, exitCodeList = {
                "0:the store verified (warnings allowed)", MapcaskCli.EXIT_PROBLEMS, MapcaskCli.EXIT_USAGE,
                MapcaskCli.EXIT_LOCKED, MapcaskCli.EXIT_ERROR})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    StoreArgs store;

    @Mixin
    ProgressArgs progress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        store.requireStore();
        PrintWriter out = spec.commandLine().getOut();
        VerificationReport r;
        try (ProgressBar bar = progress.bar(spec, "verify", "bytes")) {
            r = Mapcask.verify(store.dir, bar);
        }
        for (VerificationReport.Finding p : r.problems()) {
            out.println("problem: " + p);
        }
        for (VerificationReport.Finding w : r.warnings()) {
            out.println("warning: " + w);
        }
        out.println(r);
        return r.ok() ? MapcaskCli.OK : MapcaskCli.PROBLEMS;
    }
}
