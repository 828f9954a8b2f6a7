package io.mapcask.cli;

import io.mapcask.Mapcask;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "dump", mixinStandardHelpOptions = true, versionProvider = MapcaskCli.Version.class,
        description = {"Print every key and its value, one 'KEY<TAB>VALUE' line each, in no particular order.",
                "Text escapes \\\\, tab, newline, carriage return and bytes that are not UTF-8 (\\xNN), so every"
                        + " line can be read back; hex prints two digits a byte."},
        exitCodeListHeading = MapcaskCli.EXIT_CODE_HEADING, exitCodeList = {
                MapcaskCli.EXIT_OK, MapcaskCli.EXIT_USAGE, MapcaskCli.EXIT_LOCKED, MapcaskCli.EXIT_ERROR})
final class DumpCommand implements Callable<Integer> {
    @Mixin
    StoreArgs store;

    @Mixin
    ProgressArgs progress;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write to FILE (replaced if it exists) instead of stdout, with a progress bar on a terminal.")
    Path output;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "How values are printed: text or hex (default: ${DEFAULT-VALUE}).")
    ByteFormat format;

    @Option(names = "--key-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "How keys are printed: text or hex (default: ${DEFAULT-VALUE}).")
    ByteFormat keyFormat;

    @Option(names = "--keys-only", description = "Print keys only, one a line.")
    boolean keysOnly;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (format == ByteFormat.RAW || keyFormat == ByteFormat.RAW) {
            throw new ParameterException(spec.commandLine(), "dump prints lines: --format and --key-format take"
                    + " text or hex");
        }
        try (Mapcask db = store.open()) {
            if (output == null) {
                dump(db, spec.commandLine().getOut(), null);
                spec.commandLine().getOut().flush();
                return MapcaskCli.OK;
            }
            long n;
            try (BufferedWriter w = Files.newBufferedWriter(output, StandardCharsets.UTF_8);
                    ProgressBar bar = progress.bar(spec, "dump", "keys")) {
                n = dump(db, w, bar);
            }
            spec.commandLine().getOut().println("dumped " + n + " keys to " + output);
        }
        return MapcaskCli.OK;
    }

    /** @return the number of keys written */
    private long dump(Mapcask db, Writer w, ProgressBar bar) {
        long total = db.size();
        long[] n = {0};
        try {
            if (keysOnly) {
                db.forEachKey(key -> line(w, keyFormat.format(key), bar, ++n[0], total));
            } else {
                db.forEach((key, value) -> line(w, keyFormat.format(key) + '\t' + format.format(value), bar, ++n[0],
                        total));
            }
        } catch (UncheckedIOException e) {
            throw new CliException(MapcaskCli.ERROR, "cannot write the dump: " + e.getCause().getMessage());
        }
        if (bar != null) {
            bar.progress(n[0], Math.max(n[0], total));
        }
        return n[0];
    }

    private static void line(Writer w, String line, ProgressBar bar, long done, long total) {
        try {
            w.write(line);
            w.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bar != null) {
            bar.progress(done, Math.max(done, total));
        }
    }
}
