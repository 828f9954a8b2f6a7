package io.mapcask.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskLockedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store held by a running instance, in this JVM or in another process: every command exits 3
 * with a message naming the lock file, changes no file, and leaves the holder working and
 * holding.
 */
class LockedStoreTest {
    @TempDir
    Path tmp;

    private static List<String[]> everyCommand(String dir) {
        return List.of(new String[] {"stats", dir}, new String[] {"verify", dir}, new String[] {"dump", dir},
                new String[] {"get", dir, "k"}, new String[] {"put", dir, "k", "v"},
                new String[] {"put", "--create", dir, "k", "v"}, new String[] {"delete", dir, "k"},
                new String[] {"compact", dir}, new String[] {"backup", dir, dir + "-backup"});
    }

    /** Name → size, modification time and content CRC of every file but LOCK (whose descriptor must not be opened). */
    private static Map<String, List<Long>> snapshot(Path dir) {
        Map<String, List<Long>> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                long mtime = Files.getLastModifiedTime(p).toMillis();
                long crc = 0;
                if (!p.getFileName().toString().equals("LOCK")) {
                    CRC32C c = new CRC32C();
                    c.update(Files.readAllBytes(p));
                    crc = c.getValue();
                }
                files.put(p.getFileName().toString(), List.of(Files.size(p), mtime, crc));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static void assertEveryCommandRefused(Path dir) {
        Map<String, List<Long>> before = snapshot(dir);
        for (String[] args : everyCommand(dir.toString())) {
            Cli.Result r = Cli.run(args);
            String what = String.join(" ", args) + ": " + r.describe();
            assertEquals(MapcaskCli.LOCKED, r.exitCode(), what);
            assertEquals("", r.out(), what);
            assertTrue(r.err().startsWith("mapcask: the store is in use: its lock file " + dir.resolve("LOCK")), what);
        }
        assertEquals(before, snapshot(dir), "no file changed");
    }

    @Test
    void shouldRefuseEveryCommandWhileThisJvmHoldsTheStore() {
        Path dir = tmp.resolve("store");
        try (Mapcask db = Mapcask.open(dir)) {
            db.put("k".getBytes(StandardCharsets.UTF_8), "held".getBytes(StandardCharsets.UTF_8));
            db.sync();
            assertEveryCommandRefused(dir);
            db.put("k2".getBytes(StandardCharsets.UTF_8), new byte[] {1});
            assertArrayEquals("held".getBytes(StandardCharsets.UTF_8), db.get("k".getBytes(StandardCharsets.UTF_8)));
            assertThrows(MapcaskLockedException.class, () -> Mapcask.open(dir), "the holder still holds it");
        }
        Cli.Result after = Cli.run("get", dir.toString(), "k2", "--format", "hex");
        assertEquals(MapcaskCli.OK, after.exitCode(), after::describe);
        assertEquals("01\n", after.out());
    }

    @Test
    void shouldRefuseEveryCommandWhileAnotherProcessHoldsTheStore() throws Exception {
        Path dir = tmp.resolve("store");
        Path err = tmp.resolve("child.err");
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), HoldStoreMain.class.getName(), dir.toString(), "k", "child")
                .redirectError(err.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process child = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("HELD", out.readLine(), () -> "the child holds the store; stderr: " + read(err));
            assertEveryCommandRefused(dir);
            try (OutputStream in = child.getOutputStream()) {
                in.write('\n');
            }
            assertEquals("RELEASED", out.readLine(), () -> "stderr: " + read(err));
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue(), () -> "stderr: " + read(err));
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
        Cli.Result r = Cli.run("get", dir.toString(), "k");
        assertEquals(MapcaskCli.OK, r.exitCode(), r::describe);
        assertEquals("child\n", r.out(), "the holder's write, untouched");
        assertEquals(MapcaskCli.OK, Cli.run("verify", dir.toString()).exitCode());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
