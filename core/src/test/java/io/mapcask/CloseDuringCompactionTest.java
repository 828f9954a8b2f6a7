package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code close()} racing a user's {@code compact()}, landing (by seeded delays) before, inside and
 * after its copy, commit and repoint pass (which gives the write lock up between chunks): the
 * compaction either completes or fails with the closed-store exception, and the reopened store
 * (from the keydir checkpoint the close wrote, when it wrote one) holds every key with its value.
 */
class CloseDuringCompactionTest {
    private static final int KEYS = 12_000;

    @TempDir
    Path tmp;

    private static byte[] key(int i) {
        return ByteBuffer.allocate(8).putInt(0x6B657973).putInt(i).array();
    }

    private static byte[] value(int i, int round) {
        return ByteBuffer.allocate(40).putInt(i).putInt(round).array();
    }

    @Test
    void shouldEndTheCompactionCleanlyAndLoseNothingWhenCloseComesAtAnyPoint() {
        TestSeeds.run(0x434C4F5345434F4DL, rnd -> {
            MapcaskOptions options = MapcaskOptions.builder().segmentSize(256 << 10).compactionBackground(false).build();
            for (int trial = 0; trial < 12; trial++) {
                Path dir = tmp.resolve("store-" + trial);
                Mapcask db = Mapcask.open(dir, options);
                for (int round = 0; round < 2; round++) { // the second round leaves the first one dead
                    for (int i = 0; i < KEYS; i++) {
                        db.put(key(i), value(i, round));
                    }
                }
                CompletableFuture<Void> compaction = CompletableFuture.runAsync(db::compact);
                long delayMicros = rnd.nextInt(40_000);
                TimeUnit.MICROSECONDS.sleep(delayMicros);
                db.close();
                try {
                    compaction.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof MapcaskClosedException)) {
                        throw new AssertionError("trial " + trial + " (close after " + delayMicros
                                + " us): compact() failed with " + e.getCause(), e.getCause());
                    }
                }
                try (Mapcask reopened = Mapcask.open(dir, options)) {
                    assertEquals(KEYS, reopened.size(), "trial " + trial);
                    for (int i = 0; i < KEYS; i++) {
                        assertArrayEquals(value(i, 1), reopened.get(key(i)), "trial " + trial + ", key " + i);
                    }
                }
            }
        });
    }
}
