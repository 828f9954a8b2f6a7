package io.mapcask.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in this JVM with captured streams, as a shell would run it. */
final class Cli {
    private Cli() {
    }

    /** What one run printed and returned. */
    record Result(int exitCode, byte[] outBytes, String err) {
        String out() {
            return new String(outBytes, StandardCharsets.UTF_8);
        }

        String describe() {
            return "exit code " + exitCode + "\n--- stdout:\n" + out() + "\n--- stderr:\n" + err;
        }
    }

    static Result run(String... args) {
        return run(new byte[0], false, args);
    }

    static Result run(byte[] stdin, boolean interactive, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MapcaskCli.run(new MapcaskCli.Io(new ByteArrayInputStream(stdin), out, err, interactive), args);
        return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }
}
