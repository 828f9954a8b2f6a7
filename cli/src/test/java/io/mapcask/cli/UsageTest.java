package io.mapcask.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --help} on every command, the exit codes of bad command lines, and of directories that hold no store. */
class UsageTest {
    private static final List<String> COMMANDS = List.of("stats", "verify", "dump", "get", "put", "delete", "compact",
            "backup");

    @TempDir
    Path tmp;

    @Test
    void shouldPrintHelpWithExitCodesForTheToolAndEveryCommand() {
        Cli.Result top = Cli.run("--help");
        assertEquals(MapcaskCli.OK, top.exitCode(), top::describe);
        for (String command : COMMANDS) {
            assertTrue(top.out().contains("  " + command + " "), command + " listed: " + top.describe());
        }
        assertTrue(top.out().contains("Exit codes:") && top.out().contains("3   the store is held by another process"),
                top::describe);
        for (String command : COMMANDS) {
            for (String[] args : List.of(new String[] {command, "--help"}, new String[] {command, "-h"},
                    new String[] {"help", command})) {
                Cli.Result r = Cli.run(args);
                String what = String.join(" ", args) + ": " + r.describe();
                assertEquals(MapcaskCli.OK, r.exitCode(), what);
                assertTrue(r.out().startsWith("Usage: mapcask " + command + " "), what);
                assertTrue(r.out().contains("DIR") && r.out().contains("Exit codes:"), what);
                assertEquals("", r.err(), what);
            }
        }
        Cli.Result version = Cli.run("--version");
        assertEquals(MapcaskCli.OK, version.exitCode(), version::describe);
        assertTrue(version.out().startsWith("mapcask "), version::describe);
    }

    @Test
    void shouldExitWithTwoAndTheUsageOnBadCommandLines() throws Exception {
        Path dir = tmp.resolve("store");
        assertEquals(MapcaskCli.OK, Cli.run("put", "--create", dir.toString(), "k", "v").exitCode());
        List<String[]> bad = List.of(
                new String[] {},
                new String[] {"frobnicate"},
                new String[] {"stats"},
                new String[] {"stats", dir.toString(), "extra"},
                new String[] {"stats", "--bogus", dir.toString()},
                new String[] {"get", dir.toString()},
                new String[] {"get", dir.toString(), "k", "--format", "base64"},
                new String[] {"get", dir.toString(), "xyz", "--key-format", "hex"},
                new String[] {"get", dir.toString(), "a\\q"},
                new String[] {"get", dir.toString(), "a\\x4"},
                new String[] {"put", dir.toString(), "k"},
                new String[] {"put", dir.toString(), "k", "v", "--value-file", "-"},
                new String[] {"put", dir.toString(), "", "v"},
                new String[] {"dump", dir.toString(), "--format", "raw"},
                new String[] {"delete", dir.toString()},
                new String[] {"stats", "-D", "mapcask.segment.sise=4m", dir.toString()},
                new String[] {"stats", "-D", "mapcask.segment.size=4 parsecs", dir.toString()},
                new String[] {"stats", "-D", "novalue", dir.toString()});
        for (String[] args : bad) {
            Cli.Result r = Cli.run(args);
            String what = "mapcask " + String.join(" ", args) + ": " + r.describe();
            assertEquals(MapcaskCli.USAGE, r.exitCode(), what);
            assertEquals("", r.out(), what);
            assertTrue(!r.err().isBlank(), what);
        }
        Cli.Result r = Cli.run("get", dir.toString(), "k");
        assertEquals(MapcaskCli.OK, r.exitCode(), "the bad command lines changed nothing: " + r.describe());
        assertEquals("v\n", r.out());
    }

    @Test
    void shouldRefuseDirectoriesThatHoldNoStoreWithoutCreatingOne() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path missing = tmp.resolve("missing");
        Files.writeString(tmp.resolve("file"), "x");
        for (String command : COMMANDS) {
            for (Path dir : List.of(empty, missing, tmp.resolve("file"))) {
                String[] args = switch (command) {
                    case "get", "delete" -> new String[] {command, dir.toString(), "k"};
                    case "put" -> new String[] {command, dir.toString(), "k", "v"};
                    case "backup" -> new String[] {command, dir.toString(), tmp.resolve("dest").toString()};
                    default -> new String[] {command, dir.toString()};
                };
                Cli.Result r = Cli.run(args);
                String what = String.join(" ", args) + ": " + r.describe();
                assertEquals(MapcaskCli.ERROR, r.exitCode(), what);
                assertTrue(r.err().startsWith("mapcask: ") && r.err().contains(dir.toString()), what);
            }
        }
        try (var s = Files.list(empty)) {
            assertEquals(0, s.count(), "nothing was created in the empty directory");
        }
        assertTrue(Files.notExists(tmp.resolve("dest")), "no backup of a store that is not there");
        assertTrue(!Files.exists(missing), "the missing directory was not created");
    }
}
