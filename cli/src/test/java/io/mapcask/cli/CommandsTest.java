package io.mapcask.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskOptions;
import io.mapcask.MapcaskStats;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each command on a real store, checked against what the library sees. */
class CommandsTest {
    private static final long SEED = Long.decode(System.getProperty("mapcask.test.seed", "0x434c49434d4453"));

    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("store");
    }

    private static void assertExit(int expected, Cli.Result r, String what) {
        assertEquals(expected, r.exitCode(), () -> "[seed=" + SEED + "] " + what + ": " + r.describe());
    }

    @Test
    void shouldPutGetAndDeleteInEveryFormat() throws Exception {
        String d = dir().toString();
        assertExit(MapcaskCli.OK, Cli.run("put", "--create", d, "user:42", "Ada"), "put --create");
        Cli.Result get = Cli.run("get", d, "user:42");
        assertExit(MapcaskCli.OK, get, "get");
        assertEquals("Ada\n", get.out());
        assertEquals("", get.err());

        assertExit(MapcaskCli.OK, Cli.run("put", d, "tab\\tkey", "line\\none\\x00\\xff"), "put with escapes");
        assertEquals("line\\none\\x00\\xff\n", Cli.run("get", d, "tab\\tkey").out());
        assertEquals("6c696e650a6f6e6500ff\n", Cli.run("get", d, "746162096b6579", "--key-format", "hex",
                "--format", "hex").out());
        assertArrayEquals(new byte[] {'l', 'i', 'n', 'e', '\n', 'o', 'n', 'e', 0, (byte) 0xff},
                Cli.run("get", d, "tab\\tkey", "--format", "raw").outBytes());
        assertExit(MapcaskCli.OK, Cli.run("put", d, "raw\\key", "--key-format", "raw", "v\\1", "--format", "raw"),
                "raw key and value");
        assertEquals("v\\\\1\n", Cli.run("get", d, "raw\\\\key").out(), "raw text is taken literally");
        assertExit(MapcaskCli.OK, Cli.run("put", d, "hex", "00ff10", "--format", "hex"), "hex value");
        assertEquals("\\x00\\xff\\x10\n", Cli.run("get", d, "hex").out());

        Path file = tmp.resolve("value.bin");
        byte[] blob = new byte[5000];
        new Random(SEED).nextBytes(blob);
        Files.write(file, blob);
        assertExit(MapcaskCli.OK, Cli.run("put", d, "blob", "--value-file", file.toString()), "--value-file");
        assertArrayEquals(blob, Cli.run("get", d, "blob", "--format", "raw").outBytes());
        assertExit(MapcaskCli.OK, Cli.run("Ünïcode".getBytes(StandardCharsets.UTF_8), false, "put", d, "stdin",
                "--value-file", "-"), "value from stdin");
        assertEquals("Ünïcode\n", Cli.run("get", d, "stdin").out());

        assertExit(MapcaskCli.OK, Cli.run("delete", d, "user:42"), "delete");
        Cli.Result absent = Cli.run("get", d, "user:42");
        assertExit(MapcaskCli.NOT_FOUND, absent, "get after delete");
        assertEquals("", absent.out());
        assertEquals("mapcask: key not found: user:42\n", absent.err());
        assertExit(MapcaskCli.NOT_FOUND, Cli.run("delete", d, "user:42"), "delete of an absent key");

        try (Mapcask db = Mapcask.open(dir())) {
            assertEquals(5, db.size());
            assertArrayEquals(blob, db.get("blob".getBytes(StandardCharsets.UTF_8)));
            assertEquals(null, db.get("user:42".getBytes(StandardCharsets.UTF_8)));
        }
        Cli.Result tooLong = Cli.run("put", d, "x".repeat(70_000), "v");
        assertExit(MapcaskCli.USAGE, tooLong, "a key over the limit");
        assertTrue(tooLong.err().contains("mapcask.max.key.size"), tooLong::describe);
    }

    /** Random binary keys and values, written through the library, read back from dump lines. */
    @Test
    void shouldDumpLinesThatParseBackToEveryKeyAndValue() throws Exception {
        Random rnd = new Random(SEED);
        Map<String, byte[]> model = new HashMap<>();
        try (Mapcask db = Mapcask.open(dir(), MapcaskOptions.builder().segmentSize(64 << 10).build())) {
            for (int i = 0; i < 500; i++) {
                byte[] key = new byte[1 + rnd.nextInt(12)];
                rnd.nextBytes(key);
                byte[] value = i % 3 == 0 ? ("text " + i + " ü\t\\").getBytes(StandardCharsets.UTF_8)
                        : new byte[rnd.nextInt(40)];
                rnd.nextBytes(i % 3 == 0 ? new byte[0] : value);
                db.put(key, value);
                model.put(HexFormat.of().formatHex(key), value);
            }
        }
        for (ByteFormat keyFormat : List.of(ByteFormat.TEXT, ByteFormat.HEX)) {
            for (ByteFormat format : List.of(ByteFormat.TEXT, ByteFormat.HEX)) {
                Cli.Result r = Cli.run("dump", dir().toString(), "--key-format", keyFormat.name().toLowerCase(),
                        "--format", format.name().toLowerCase());
                assertExit(MapcaskCli.OK, r, "dump " + keyFormat + " " + format);
                Map<String, byte[]> dumped = new HashMap<>();
                for (String line : r.out().split("\n")) {
                    String[] kv = line.split("\t", -1);
                    assertEquals(2, kv.length, () -> "one tab a line: " + line);
                    dumped.put(HexFormat.of().formatHex(keyFormat.parse(kv[0])), format.parse(kv[1]));
                }
                assertEquals(model.keySet(), dumped.keySet(), "[seed=" + SEED + "] keys of dump " + keyFormat);
                model.forEach((k, v) -> assertArrayEquals(v, dumped.get(k), "[seed=" + SEED + "] value of " + k));
            }
        }
        Cli.Result keys = Cli.run("dump", dir().toString(), "--keys-only", "--key-format", "hex");
        assertEquals(model.keySet(), new java.util.HashSet<>(List.of(keys.out().split("\n"))));

        Path out = tmp.resolve("dump.txt");
        Files.writeString(out, "old content that must go\n".repeat(1000));
        Cli.Result toFile = Cli.run("dump", dir().toString(), "-o", out.toString(), "--format", "hex");
        assertExit(MapcaskCli.OK, toFile, "dump to a file");
        assertEquals("dumped " + model.size() + " keys to " + out + "\n", toFile.out());
        assertEquals("", toFile.err(), "no progress bar when not on a terminal");
        List<String> lines = Files.readAllLines(out);
        assertEquals(model.size(), lines.size());
        assertTrue(lines.stream().allMatch(l -> l.matches("[^\t]+\t[0-9a-f]*")), "hex values");
    }

    @Test
    void shouldPrintStatsThatAgreeWithTheLibrary() {
        String d = dir().toString();
        for (int i = 0; i < 20; i++) {
            assertExit(MapcaskCli.OK, Cli.run(i == 0 ? new String[] {"put", "--create", d, "k" + i % 7, "v" + i}
                    : new String[] {"put", d, "k" + i % 7, "v" + i}), "put " + i);
        }
        Cli.Result r = Cli.run("stats", d);
        assertExit(MapcaskCli.OK, r, "stats");
        MapcaskStats s;
        try (Mapcask db = Mapcask.open(dir())) {
            s = db.stats();
        }
        assertTrue(r.out().contains("keys:       7 (0 tombstones)"), r::describe);
        assertTrue(r.out().contains("segments:   " + s.segments().size() + " live"), r::describe);
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "amplification %.3f",
                s.spaceAmplification())), r::describe);
        assertTrue(r.out().contains("manifest:   MANIFEST-"), r::describe);
        assertTrue(r.out().contains("recovery:   recovered in"), r::describe);
        for (var seg : s.segments()) {
            assertTrue(r.out().contains(String.format("%06d.data", seg.id())), () -> seg + " in " + r.describe());
        }
    }

    @Test
    void shouldCompactAndVerify() throws Exception {
        String d = dir().toString();
        try (Mapcask db = Mapcask.open(dir(), MapcaskOptions.builder().segmentSize(32 << 10).build())) {
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 200; i++) {
                    db.put(("key" + i).getBytes(StandardCharsets.UTF_8), new byte[100]);
                }
            }
        }
        Cli.Result ok = Cli.run("verify", d);
        assertExit(MapcaskCli.OK, ok, "verify of a clean store");
        assertTrue(ok.out().endsWith(": OK\n"), ok::describe);
        assertEquals("", ok.err(), "no progress bar when not on a terminal");

        Cli.Result compact = Cli.run("compact", d, "-D", "mapcask.segment.size=16k");
        assertExit(MapcaskCli.OK, compact, "compact");
        assertTrue(compact.out().matches("compacted \\d+ segments into \\d+: [\\d,]+ bytes reclaimed, 200 records"
                + " copied, 0 tombstones dropped; space amplification [\\d.]+ -> 1\\.000\n"), compact::describe);
        assertEquals(null, System.getProperty("mapcask.segment.size"), "-D is not left behind");
        try (Mapcask db = Mapcask.open(dir())) {
            assertEquals(0, db.stats().deadBytes());
            assertEquals(200, db.size());
            assertTrue(db.stats().segments().size() >= 2, "outputs of at most 16 KiB (-D mapcask.segment.size)");
        }

        Path backup = dir().resolveSibling("backup-of-store");
        Cli.Result backedUp = Cli.run("backup", d, backup.toString());
        assertExit(MapcaskCli.OK, backedUp, "backup");
        assertTrue(backedUp.out().matches("backed up .* to .*backup-of-store at sequence \\d+\n"), backedUp::describe);
        assertExit(MapcaskCli.OK, Cli.run("verify", backup.toString()), "verify of the backup");
        try (Mapcask db = Mapcask.open(backup)) {
            assertEquals(200, db.size());
            assertEquals(100, db.get("key7".getBytes(StandardCharsets.UTF_8)).length);
        }
        Cli.Result again = Cli.run("backup", d, backup.toString());
        assertExit(MapcaskCli.USAGE, again, "backup into a directory that is not empty");
        assertTrue(again.err().contains("is not empty"), again::describe);

        Path segment;
        try (var s = Files.list(dir())) {
            segment = s.filter(p -> p.toString().endsWith(".data")).findFirst().orElseThrow();
        }
        long offset = 4096 + 24 + 3;
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) ~b.get(0));
            ch.write(b.rewind(), offset);
        }
        Cli.Result bad = Cli.run("verify", d);
        assertExit(MapcaskCli.PROBLEMS, bad, "verify of a damaged segment");
        assertTrue(bad.out().startsWith("problem: " + segment + " at offset 4096: "), bad::describe);
        assertTrue(bad.out().contains(": 1 problem"), bad::describe);
        assertFalse(bad.out().contains("warning:"), bad::describe);
    }
}
