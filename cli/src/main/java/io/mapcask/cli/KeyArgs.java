package io.mapcask.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The store directory and the key of get, put and delete, and how the key is written. */
final class KeyArgs extends StoreArgs {
    @Parameters(index = "1", paramLabel = "KEY", description = "The key, written as --key-format says.")
    String key;

    @Option(names = "--key-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "How KEY is written: text (UTF-8 with \\\\ \\t \\n \\r \\xNN escapes), hex or raw"
                    + " (UTF-8, no escapes) (default: ${DEFAULT-VALUE}).")
    ByteFormat keyFormat;

    byte[] bytes() {
        return keyFormat.parse(key);
    }
}
