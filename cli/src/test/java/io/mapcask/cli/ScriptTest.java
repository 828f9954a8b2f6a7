package io.mapcask.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mapcask.Mapcask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/mapcask} as a process (with {@code MAPCASK_CLI_CLASSPATH}, so it runs these
 * classes instead of building the jar): help and exit code, a clean stderr, no progress bar when
 * piped, and a bar when run on a pseudo-terminal ({@code script} from util-linux).
 */
class ScriptTest {
    private static final Path ROOT = Path.of(System.getProperty("mapcask.root.dir", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private record Run(int exitCode, String out, String err) {
        String describe() {
            return "exit code " + exitCode + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
        }
    }

    private Run run(List<String> command) throws IOException, InterruptedException {
        Path out = tmp.resolve("out-" + System.nanoTime());
        Path err = tmp.resolve("err-" + System.nanoTime());
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("MAPCASK_CLI_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private String script() {
        return ROOT.resolve("scripts/mapcask").toString();
    }

    @Test
    void shouldPrintHelpAndNothingOnStderr() throws Exception {
        Run r = run(List.of(script(), "--help"));
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.out().startsWith("Usage: mapcask "), r::describe);
        assertEquals("", r.err(), r::describe);
        Run bad = run(List.of(script(), "verify"));
        assertEquals(MapcaskCli.USAGE, bad.exitCode(), bad::describe);
    }

    @Test
    void shouldDrawProgressOnATerminalOnlyAndKeepStderrClean() throws Exception {
        Path dir = tmp.resolve("store");
        try (Mapcask db = Mapcask.open(dir)) {
            for (int i = 0; i < 2000; i++) {
                db.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[200]);
            }
        }
        Run piped = run(List.of(script(), "verify", dir.toString()));
        assertEquals(0, piped.exitCode(), piped::describe);
        assertTrue(piped.out().endsWith(": OK\n"), piped::describe);
        assertEquals("", piped.err(), "no bar, no warning when piped: " + piped.describe());

        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux script makes the pseudo-terminal");
        List<String> onTerminal = new ArrayList<>(List.of("/usr/bin/script", "-qec",
                "'" + script() + "' verify '" + dir + "'", "/dev/null"));
        Run tty = run(onTerminal);
        assertEquals(0, tty.exitCode(), tty::describe);
        assertTrue(tty.out().contains("\rverify [") && tty.out().contains("100%"), "a bar on a terminal: "
                + tty.describe());
        assertTrue(tty.out().contains(": OK"), tty::describe);

        Path err = tmp.resolve("stderr.txt");
        Run half = run(List.of("/usr/bin/script", "-qec", "'" + script() + "' verify '" + dir + "' 2>'" + err + "'",
                "/dev/null"));
        assertEquals(0, half.exitCode(), half::describe);
        assertTrue(half.out().contains(": OK"), half::describe);
        assertEquals("", Files.readString(err), "stdout on a terminal, stderr to a file: no bar");
    }
}
