package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's console stays clean (DESIGN §10, STYLE point 9): a JVM started with only {@code
 * --enable-native-access=ALL-UNNAMED} runs put / get / delete / sync / close / reopen / crash
 * recovery and prints nothing at all on stderr (no JDK warning about Unsafe or native access,
 * no log line).
 */
class CleanConsoleTest {
    @TempDir
    Path tmp;

    @Test
    void shouldPrintNothingOnStderrInOrdinaryUse() {
        TestSeeds.run(0x434F4E534F4C4531L, rnd -> {
            ChildJvm.Result r = ChildJvm.run(tmp.resolve("scratch"), CleanConsoleMain.class,
                    tmp.resolve("store").toString());
            assertEquals(0, r.exitCode(), r::describe);
            assertEquals("", r.stderr(), () -> "the child printed on stderr: " + r.describe());
            assertEquals("", r.stdout(), () -> "the child printed on stdout: " + r.describe());
        });
    }
}
