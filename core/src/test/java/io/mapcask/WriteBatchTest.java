package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBatchTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldApplyEveryOperationInOrderAndKeepThemAcrossReopen() {
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(16 << 10).build();
        try (Mapcask db = Mapcask.open(dir, options)) {
            db.put(b("gone"), b("x"));
            byte[] reused = b("v1");
            WriteBatch batch = new WriteBatch().put(b("a"), reused).put(b("b"), b("v2")).delete(b("gone"))
                    .put(b("a"), b("v3"));
            reused[0] = 'X'; // the batch copied the array
            assertEquals(4, batch.size());
            for (int i = 0; i < 50; i++) { // many batches: some land right at a rotation
                db.write(batch);
            }
            assertArrayEquals(b("v3"), db.get(b("a")), "later operations of a batch win");
            assertArrayEquals(b("v2"), db.get(b("b")));
            assertNull(db.get(b("gone")));
            db.write(new WriteBatch());
        }
        try (Mapcask db = Mapcask.open(dir, options)) {
            assertArrayEquals(b("v3"), db.get(b("a")));
            assertNull(db.get(b("gone")));
        }
    }

    @Test
    void shouldRefuseABatchThatBreaksALimitAndWriteNothingOfIt() {
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(16 << 10).build();
        try (Mapcask db = Mapcask.open(dir, options)) {
            WriteBatch tooBig = new WriteBatch();
            for (int i = 0; i < 20; i++) {
                tooBig.put(b("k" + i), new byte[1000]);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> db.write(tooBig));
            assertTrue(e.getMessage().contains(MapcaskConfig.SEGMENT_SIZE_PROP_NAME), e.getMessage());
            WriteBatch badKey = new WriteBatch().put(b("ok"), b("v")).put(new byte[0], b("v"));
            assertThrows(IllegalArgumentException.class, () -> db.write(badKey));
            assertNull(db.get(b("k0")));
            assertNull(db.get(b("ok")), "nothing of a refused batch is written");
            assertThrows(NullPointerException.class, () -> db.write(null));
            assertThrows(NullPointerException.class, () -> new WriteBatch().put(null, b("v")));
        }
    }
}
