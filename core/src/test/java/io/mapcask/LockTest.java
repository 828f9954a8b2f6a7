package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One store directory, one open instance (DESIGN §1): a second open, from this JVM or another
 * process, fails fast with {@link MapcaskLockedException} naming the LOCK file and never
 * disturbs the holder; once the holder closes (or its process dies), the next open succeeds.
 */
class LockTest {
    private static final String KEY = "lock-test-key";

    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("store");
    }

    private Path lockFile() {
        return dir().resolve(FileNames.LOCK).toAbsolutePath();
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private void assertLocked(MapcaskLockedException e) {
        assertEquals(lockFile(), e.lockFile().toAbsolutePath(), e.getMessage());
        assertTrue(e.getMessage().contains(lockFile().toString()), "the message names the lock file: " + e.getMessage());
    }

    private ChildJvm.Result probe() throws Exception {
        return ChildJvm.run(tmp.resolve("scratch"), LockProbeMain.class, "probe", dir().toString(), KEY);
    }

    private void assertChildLockedOut(ChildJvm.Result r) {
        assertEquals(LockProbeMain.EXIT_LOCKED, r.exitCode(), r::describe);
        assertTrue(r.stdout().startsWith("LOCKED " + lockFile()), r::describe);
    }

    @Test
    void shouldFailFastInSameJvmNamingLockFileWhileFirstInstanceKeepsWorking() {
        TestSeeds.run(0x4C4F434B53414D45L, rnd -> {
            byte[] k = bytes(rnd, 10);
            byte[] v = bytes(rnd, 100);
            try (Mapcask first = Mapcask.open(dir())) {
                first.put(k, v);
                for (int attempt = 0; attempt < 3; attempt++) {
                    long start = System.nanoTime();
                    MapcaskLockedException e = assertThrows(MapcaskLockedException.class, () -> Mapcask.open(dir()));
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertTrue(millis < 5_000, "a locked open fails fast, took " + millis + " ms");
                    assertLocked(e);
                    assertLocked(assertThrows(MapcaskLockedException.class,
                            () -> Mapcask.open(dir(), MapcaskOptions.builder().segmentSize(1 << 20).build())));
                }
                // The first instance is undisturbed: it reads, writes, syncs and deletes.
                assertArrayEquals(v, first.get(k));
                byte[] v2 = bytes(rnd, 50);
                first.put(k, v2);
                first.sync();
                assertArrayEquals(v2, first.get(k));
                byte[] k2 = bytes(rnd, 12);
                first.put(k2, v);
                assertTrue(first.delete(k2));
                // ... and still holds the lock against other processes (failed opens here released nothing).
                assertChildLockedOut(probe());
                v = v2;
            }
            try (Mapcask again = Mapcask.open(dir())) {
                assertArrayEquals(v, again.get(k), "the data of the first instance after it closed");
            }
        });
    }

    @Test
    void shouldLockOutAnotherProcessWhileHeldAndLetItInAfterClose() {
        TestSeeds.run(0x4C4F434B50524F43L, rnd -> {
            byte[] v = bytes(rnd, 64);
            try (Mapcask db = Mapcask.open(dir())) {
                db.put(KEY.getBytes(StandardCharsets.UTF_8), v);
                db.sync();
                assertChildLockedOut(probe());
                assertArrayEquals(v, db.get(KEY.getBytes(StandardCharsets.UTF_8)), "the holder is undisturbed");
            }
            ChildJvm.Result r = probe();
            assertEquals(0, r.exitCode(), r::describe);
            assertEquals("VALUE " + HexFormat.of().formatHex(v), r.stdout().strip(), r::describe);
        });
    }

    @Test
    void shouldLockOutThisProcessWhileChildHoldsAndLetItInAfterChildClosesOrIsKilled() {
        TestSeeds.run(0x4C4F434B4348494CL, rnd -> {
            for (boolean kill : new boolean[] {false, true}) {
                byte[] v = bytes(rnd, 32);
                Files.createDirectories(tmp.resolve("scratch"));
                Path err = Files.createTempFile(tmp.resolve("scratch"), "hold", ".err");
                Process child = ChildJvm.builder(LockProbeMain.class, "hold", dir().toString(), KEY,
                        HexFormat.of().formatHex(v)).redirectError(err.toFile()).start();
                try {
                    BufferedReader out = new BufferedReader(
                            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                    String line = out.readLine();
                    assertEquals("HELD", line, () -> "child did not report holding the store; stderr: " + read(err));
                    assertLocked(assertThrows(MapcaskLockedException.class, () -> Mapcask.open(dir())));
                    if (kill) {
                        child.destroyForcibly(); // SIGKILL: the OS releases its lock
                        child.waitFor();
                    } else {
                        try (OutputStream in = child.getOutputStream()) {
                            in.write('\n');
                        }
                        assertEquals("RELEASED", out.readLine(), () -> "stderr: " + read(err));
                        assertEquals(0, child.waitFor(), () -> "stderr: " + read(err));
                    }
                } finally {
                    child.destroyForcibly();
                    child.waitFor();
                }
                try (Mapcask db = Mapcask.open(dir())) {
                    assertArrayEquals(v, db.get(KEY.getBytes(StandardCharsets.UTF_8)),
                            "the child's synced write, after it " + (kill ? "was killed" : "closed"));
                    assertNull(db.get(new byte[] {1}));
                }
            }
        });
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
