package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * What a store must hold, built by the random writes that made it, and the check that it does
 * hold exactly that (tests of the keydir checkpoint and of backups).
 */
final class StoreModel {
    /** Key → value; null: the key was deleted. */
    final Map<String, byte[]> values = new TreeMap<>();

    static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code n} random puts (values of 0 to 399 bytes), overwrites and deletes of the keys {@code k0 .. k<keys - 1>}. */
    void write(Mapcask db, Random rnd, int keys, int n) {
        for (int i = 0; i < n; i++) {
            String k = "k" + rnd.nextInt(keys);
            if (rnd.nextInt(6) == 0 && values.get(k) != null) {
                db.delete(key(k));
                values.put(k, null);
            } else {
                byte[] v = new byte[rnd.nextInt(400)];
                rnd.nextBytes(v);
                db.put(key(k), v);
                values.put(k, v);
            }
        }
    }

    void assertIn(Mapcask db, String when) {
        assertHolds(db, values, when);
    }

    StoreModel copy() {
        StoreModel m = new StoreModel();
        m.values.putAll(values);
        return m;
    }

    /**
     * Checks that {@code db} holds exactly {@code expected} (a null value: absent) and no other key,
     * and that every record of every segment reads back (the live and dead bytes recomputed by a
     * scan equal the running counts).
     */
    static void assertHolds(Mapcask db, Map<String, byte[]> expected, String when) {
        long present = 0;
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), db.get(key(e.getKey())), when + ": " + e.getKey());
            present += e.getValue() == null ? 0 : 1;
        }
        assertEquals(present, db.size(), when + ": size()");
        Store s = db.storeForTest();
        assertEquals(SegmentUsageTest.render(s.scanUsage()), SegmentUsageTest.render(s.usageForTest()),
                when + ": live and dead bytes per segment");
    }
}
