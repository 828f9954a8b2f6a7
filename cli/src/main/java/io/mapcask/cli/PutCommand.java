package io.mapcask.cli;

import io.mapcask.Mapcask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "put", mixinStandardHelpOptions = true, versionProvider = MapcaskCli.Version.class,
        description = {"Store a value under one key, replacing any previous value; durable when the command returns.",
                "The value is VALUE, or the bytes of --value-file."},
        exitCodeListHeading = MapcaskCli.EXIT_CODE_HEADING, exitCodeList = {
                MapcaskCli.EXIT_OK, MapcaskCli.EXIT_USAGE, MapcaskCli.EXIT_LOCKED, MapcaskCli.EXIT_ERROR})
final class PutCommand implements Callable<Integer> {
    @ParentCommand
    MapcaskCli cli;

    @Mixin
    KeyArgs store;

    @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE", description = "The value, written as --format says.")
    String value;

    @Option(names = "--value-file", paramLabel = "FILE", description = "Read the value's bytes from FILE ('-': stdin).")
    String valueFile;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "How VALUE is written: text, hex or raw (default: ${DEFAULT-VALUE}).")
    ByteFormat format;

    @Option(names = "--create", description = "Create the store when DIR is missing or empty.")
    boolean create;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if ((value == null) == (valueFile == null)) {
            throw new ParameterException(spec.commandLine(), "give the value either as VALUE or with --value-file");
        }
        byte[] k = store.bytes();
        byte[] v = valueFile == null ? format.parse(value)
                : valueFile.equals("-") ? cli.io.in().readAllBytes() : Files.readAllBytes(Path.of(valueFile));
        try (Mapcask db = store.open(create)) {
            db.put(k, v);
        }
        return MapcaskCli.OK;
    }
}
