package io.mapcask.cli;

import io.mapcask.Mapcask;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = MapcaskCli.Version.class,
        description = "Delete one key; durable when the command returns. An absent key is reported (exit 5) and"
                + " nothing is written.",
        exitCodeListHeading = MapcaskCli.EXIT_CODE_HEADING, exitCodeList = {
                MapcaskCli.EXIT_OK, MapcaskCli.EXIT_USAGE, MapcaskCli.EXIT_LOCKED, MapcaskCli.EXIT_ERROR,
                MapcaskCli.EXIT_NOT_FOUND})
final class DeleteCommand implements Callable<Integer> {
    @Mixin
    KeyArgs store;

    @Override
    public Integer call() {
        byte[] k = store.bytes();
        boolean existed;
        try (Mapcask db = store.open()) {
            existed = db.delete(k);
        }
        if (!existed) {
            throw new CliException(MapcaskCli.NOT_FOUND, "key not found: " + store.key);
        }
        return MapcaskCli.OK;
    }
}
