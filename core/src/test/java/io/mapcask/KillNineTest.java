package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a child JVM that writes, deletes, syncs and compacts (DESIGN §8): after each kill the
 * parent reopens the store and checks every key against what the child had announced: a key
 * holds the value of its last write acknowledged by a completed {@code sync()}, or of a later
 * write; never an older one, never a deleted key back, never bytes no write produced. 20 cycles
 * by default, 1,000 with {@code -Dmapcask.long=true} ({@code ./scripts/test --long}).
 */
class KillNineTest {
    private static final int KEYS = 200;

    @TempDir
    Path dir;

    /** One announced write. */
    private record Write(long op, boolean delete) {
    }

    @Test
    void shouldLoseNoAcknowledgedWriteAndResurrectNoDeletedKeyUnderKillNine() throws Exception {
        long seed = Long.getLong("mapcask.test.seed", 20261125L);
        int cycles = Boolean.getBoolean("mapcask.long") ? 1000 : 20;
        Random rnd = new Random(seed);
        // Baseline: what each key holds at the start of a cycle (null = absent), as read back.
        Map<Integer, String> baseline = new HashMap<>();
        long nextOp = 1;
        long totalWrites = 0;
        long totalAcked = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            long childSeed = rnd.nextLong();
            List<String> lines = runAndKill(childSeed, nextOp, 150 + rnd.nextInt(900));
            Map<Integer, List<Write>> writes = new HashMap<>();
            long synced = 0;
            for (String line : lines) {
                String[] f = line.split(" ");
                if (f[0].equals("W")) {
                    long op = Long.parseLong(f[1]);
                    writes.computeIfAbsent(Integer.parseInt(f[2]), k -> new ArrayList<>())
                            .add(new Write(op, f[3].equals("del")));
                    nextOp = Math.max(nextOp, op + 1);
                } else if (f[0].equals("S")) {
                    synced = Long.parseLong(f[1]);
                    nextOp = Math.max(nextOp, synced + 1);
                }
            }
            String where = "cycle " + cycle + ", seed " + seed + ", child seed " + childSeed + ", synced up to op " + synced;
            try (Mapcask db = Mapcask.open(dir, MapcaskOptions.builder().segmentSize(256 << 10).build())) {
                for (int k = 0; k < KEYS; k++) {
                    byte[] v = db.get(KillChild.key(k));
                    String got = v == null ? null : identify(v, k, where);
                    List<String> allowed = allowed(baseline.get(k), writes.getOrDefault(k, List.of()), synced, k);
                    if (!allowed.contains(got)) {
                        fail("key-" + k + " holds " + got + ", allowed " + allowed + " (" + where + ")");
                    }
                    if (got == null) {
                        baseline.remove(k);
                    } else {
                        baseline.put(k, got);
                    }
                }
            }
            for (List<Write> ws : writes.values()) {
                for (Write w : ws) {
                    totalWrites++;
                    totalAcked += w.op() <= synced ? 1 : 0;
                }
            }
        }
        System.out.printf("kill -9: %d cycles, %d writes announced, %d of them acknowledged by sync(); "
                + "0 acknowledged writes lost, 0 deleted keys back%n", cycles, totalWrites, totalAcked);
        assertTrue(totalAcked > 0);
    }

    /** The writes a key may show: its last acknowledged state, or any later write. */
    private static List<String> allowed(String baseline, List<Write> writes, long synced, int k) {
        List<String> allowed = new ArrayList<>();
        String acked = baseline;
        for (Write w : writes) {
            if (w.op() <= synced) {
                acked = w.delete() ? null : "key-" + k + ":" + w.op();
            }
        }
        allowed.add(acked);
        for (Write w : writes) {
            if (w.op() > synced) {
                allowed.add(w.delete() ? null : "key-" + k + ":" + w.op());
            }
        }
        return Collections.unmodifiableList(allowed);
    }

    /** Parses "key-<k>:<op>:" from a value and checks it names this key. */
    private static String identify(byte[] v, int k, String where) {
        String s = new String(v, StandardCharsets.ISO_8859_1);
        int second = s.indexOf(':', s.indexOf(':') + 1);
        if (second < 0 || !s.startsWith("key-" + k + ":")) {
            fail("key-" + k + " holds bytes no write of it produced (" + where + ")");
        }
        for (int i = second + 1; i < v.length; i++) {
            assertEquals(0, v[i], "value padding damaged for key-" + k + " (" + where + ")");
        }
        return s.substring(0, second);
    }

    private List<String> runAndKill(long childSeed, long firstOp, long killAfterMillis) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), KillChild.class.getName(), dir.toString(),
                Long.toString(childSeed), Long.toString(firstOp), Integer.toString(KEYS));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        // A file, not a pipe: every line the child wrote before it died is there to read.
        Path log = dir.resolveSibling(dir.getFileName() + "-child.log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(log) || !Files.readString(log).startsWith("OPEN")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                fail("child did not open the store; exit " + (p.isAlive() ? "none" : p.exitValue()));
            }
            Thread.sleep(5);
        }
        Thread.sleep(killAfterMillis);
        p.destroyForcibly(); // SIGKILL on Linux
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the killed child did not exit");
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        Files.delete(log);
        return lines;
    }
}
