package io.mapcask.cli;

import io.mapcask.Mapcask;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "get", mixinStandardHelpOptions = true, versionProvider = MapcaskCli.Version.class,
        description = "Print the value of one key.",
        exitCodeListHeading = MapcaskCli.EXIT_CODE_HEADING, exitCodeList = {
                MapcaskCli.EXIT_OK, MapcaskCli.EXIT_USAGE, MapcaskCli.EXIT_LOCKED, MapcaskCli.EXIT_ERROR,
                MapcaskCli.EXIT_NOT_FOUND})
final class GetCommand implements Callable<Integer> {
    @ParentCommand
    MapcaskCli cli;

    @Mixin
    KeyArgs store;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "How the value is printed: text (a line, escaped), hex (a line) or raw (the bytes alone)"
                    + " (default: ${DEFAULT-VALUE}).")
    ByteFormat format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        byte[] k = store.bytes();
        byte[] value;
        try (Mapcask db = store.open()) {
            value = db.get(k);
        }
        if (value == null) {
            throw new CliException(MapcaskCli.NOT_FOUND, "key not found: " + store.key);
        }
        if (format == ByteFormat.RAW) {
            spec.commandLine().getOut().flush();
            cli.io.out().write(value);
            cli.io.out().flush();
        } else {
            spec.commandLine().getOut().println(format.format(value));
        }
        return MapcaskCli.OK;
    }
}
