package io.mapcask;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a main class of the test sources in a child JVM: the same {@code java} as this JVM,
 * the same class path, {@code --enable-native-access=ALL-UNNAMED} and nothing else. Variables
 * that make every JVM print a note on stderr ({@code JAVA_TOOL_OPTIONS} and friends) are
 * removed from its environment, so that what the child prints is Mapcask's own doing.
 */
final class ChildJvm {
    static final long TIMEOUT_SECONDS = 120;

    private ChildJvm() {
    }

    /** What a finished child printed and returned. */
    record Result(int exitCode, String stdout, String stderr) {
        String describe() {
            return "exit code " + exitCode + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
        }
    }

    static ProcessBuilder builder(Class<?> main, String... args) {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new AssertionError("cannot tell which java runs this JVM"));
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        return pb;
    }

    /** Runs the child to its end; stdout and stderr go to files in {@code scratch}, so neither can block it. */
    static Result run(Path scratch, Class<?> main, String... args) throws IOException, InterruptedException {
        Files.createDirectories(scratch);
        Path out = Files.createTempFile(scratch, "child", ".out");
        Path err = Files.createTempFile(scratch, "child", ".err");
        Process p = builder(main, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return await(p, out, err);
    }

    static Result await(Process p, Path out, Path err) throws IOException, InterruptedException {
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            fail("child JVM " + p.pid() + " did not finish in " + TIMEOUT_SECONDS + " s; stdout:\n"
                    + Files.readString(out, StandardCharsets.UTF_8) + "\nstderr:\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
