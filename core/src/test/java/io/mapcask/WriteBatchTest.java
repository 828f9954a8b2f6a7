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

    /**
     * One batch reused through {@code clear()} for rounds of random puts (keys of 1-300 bytes,
     * values of 0-5,000, empty ones included) and deletes: its buffers grow, shrink back to no
     * operations and are overwritten, and after every round and a reopen the store equals a model.
     */
    @Test
    void shouldMatchAModelWhenOneBatchIsReusedForRandomRounds() {
        TestSeeds.run(0x5752495445424154L, rnd -> {
            MapcaskOptions options = MapcaskOptions.builder().segmentSize(1 << 20).build();
            java.util.Map<String, byte[]> model = new java.util.HashMap<>();
            WriteBatch batch = new WriteBatch();
            try (Mapcask db = Mapcask.open(dir, options)) {
                for (int round = 0; round < 40; round++) {
                    batch.clear();
                    java.util.Map<String, byte[]> next = new java.util.HashMap<>(model);
                    int ops = rnd.nextInt(round % 10 == 0 ? 60 : 8);
                    for (int i = 0; i < ops; i++) {
                        byte[] key = new byte[1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 300 : 4)];
                        rnd.nextBytes(key);
                        key[0] = (byte) rnd.nextInt(20); // short keys repeat, so operations overwrite each other
                        String k = java.util.HexFormat.of().formatHex(key);
                        if (rnd.nextInt(4) == 0) {
                            batch.delete(key);
                            next.remove(k);
                        } else {
                            byte[] value = new byte[rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(5000)];
                            rnd.nextBytes(value);
                            batch.put(key, value);
                            next.put(k, value.clone());
                            java.util.Arrays.fill(value, (byte) 0); // the batch holds its own copy
                        }
                        java.util.Arrays.fill(key, (byte) 0);
                    }
                    assertEquals(ops, batch.size());
                    db.write(batch);
                    model = next;
                    assertStoreEquals(model, db, "round " + round);
                }
            }
            try (Mapcask db = Mapcask.open(dir, options)) {
                assertStoreEquals(model, db, "after reopen");
            }
        });
    }

    private static void assertStoreEquals(java.util.Map<String, byte[]> model, Mapcask db, String when) {
        assertEquals(model.size(), db.size(), when);
        for (var e : model.entrySet()) {
            assertArrayEquals(e.getValue(), db.get(java.util.HexFormat.of().parseHex(e.getKey())), when + ": " + e.getKey());
        }
    }
}
