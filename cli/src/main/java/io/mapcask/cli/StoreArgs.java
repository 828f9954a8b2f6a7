package io.mapcask.cli;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskConfig;
import io.mapcask.MapcaskOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The store directory every command takes first, and how commands open it. */
class StoreArgs {
    @Parameters(index = "0", paramLabel = "DIR", description = "The store directory.")
    Path dir;

    @Option(names = "-D", paramLabel = "NAME=VALUE", description = "A store option for this run, e.g."
            + " -D mapcask.segment.size=4m (names, defaults and units: docs/configuration.md).")
    Map<String, String> properties = new HashMap<>();

    /**
     * Opens the store like an application does (a store that was not closed cleanly is recovered
     * first), without background compaction. Refuses a directory that holds no store, so that a
     * typo does not create one.
     *
     * @throws io.mapcask.MapcaskLockedException when another process holds it
     */
    Mapcask open() {
        requireStore();
        return Mapcask.open(dir, options());
    }

    /** Opens the store, creating it when {@code create} and the directory is missing or empty. */
    Mapcask open(boolean create) {
        if (!create) {
            return open();
        }
        return Mapcask.open(dir, options());
    }

    /**
     * The {@code -D} options over the {@code mapcask.*} system properties, without background
     * compaction (a command compacts only when asked). The options are read from system
     * properties, so they are set for the build and then put back.
     */
    private MapcaskOptions options() {
        Map<String, String> previous = new HashMap<>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (MapcaskConfig.OPTIONS.stream().noneMatch(o -> o.property().equals(e.getKey()))) {
                throw new IllegalArgumentException("-D " + e.getKey() + " is not a store option; they are "
                        + MapcaskConfig.OPTIONS.stream().map(MapcaskConfig.Option::property).toList()
                        + " (docs/configuration.md)");
            }
            previous.put(e.getKey(), System.setProperty(e.getKey(), e.getValue()));
        }
        try {
            return MapcaskOptions.builder().compactionBackground(false).build();
        } finally {
            previous.forEach((name, value) -> {
                if (value == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, value);
                }
            });
        }
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
