package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a background thread, a sealed segment's hint is written after the seal's commit, off the
 * writer's thread: it appears soon after the roll, a close writes those still pending, and an
 * open without the keydir checkpoint loads every sealed segment from its hint.
 */
class BackgroundHintTest {
    private static final MapcaskOptions OPTIONS = MapcaskOptions.builder().segmentSize(64 << 10)
            .compactionInterval(Duration.ofHours(1)).keydirCheckpoint(false).build();

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        byte[] v = new byte[500];
        v[0] = (byte) i;
        v[1] = (byte) (i >>> 8);
        return v;
    }

    @Test
    void shouldWriteEachSealedSegmentsHintInTheBackgroundOrAtClose() throws Exception {
        int keys = 1000; // about 8 segments of 64 KiB
        try (Mapcask db = Mapcask.open(dir, OPTIONS)) {
            db.put(key(0), value(0));
            for (int i = 1; db.stats().segmentRolls() < 2; i++) {
                db.put(key(i), value(i));
            }
            Path firstHint = FileNames.hint(dir, 1);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(firstHint) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(Files.exists(firstHint), "the background thread wrote no hint for the first sealed segment");
            for (int i = 0; i < keys; i++) {
                db.put(key(i), value(i));
            }
        } // the last segments' hints are still pending here, some of them: the close writes them
        VerificationReport report = Mapcask.verify(dir);
        assertTrue(report.ok(), report::toString);
        assertTrue(report.warnings().isEmpty(), "a sealed segment without its hint: " + report);
        try (Mapcask db = Mapcask.open(dir, OPTIONS)) {
            RecoveryReport recovery = db.stats().recovery();
            assertEquals(0, recovery.hintsRewritten(), recovery::toString);
            assertEquals(report.hintsChecked(), recovery.hintsUsed(), recovery::toString);
            for (int i = 0; i < keys; i++) {
                assertArrayEquals(value(i), db.get(key(i)), "key " + i);
            }
        }
    }
}
