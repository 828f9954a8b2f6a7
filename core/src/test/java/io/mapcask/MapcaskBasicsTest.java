package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapcaskBasicsTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private MapcaskOptions small() {
        return MapcaskOptions.builder().segmentSize(64 << 10).build();
    }

    @Test
    void shouldReadBackWhatWasWrittenAcrossReopenAndRotation() {
        try (Mapcask db = Mapcask.open(dir, small())) {
            for (int i = 0; i < 5000; i++) {
                db.put(b("key-" + i), b("value-" + i));
            }
            assertArrayEquals(b("value-42"), db.get(b("key-42")));
            assertTrue(db.delete(b("key-7")));
            assertFalse(db.delete(b("key-7")));
            assertNull(db.get(b("key-7")));
            db.put(b("empty"), new byte[0]);
            assertArrayEquals(new byte[0], db.get(b("empty")));
            assertEquals(5000, db.size());
        }
        try (Mapcask db = Mapcask.open(dir, small())) {
            assertEquals(5000, db.size());
            for (int i = 0; i < 5000; i++) {
                if (i == 7) {
                    assertNull(db.get(b("key-7")));
                } else {
                    assertArrayEquals(b("value-" + i), db.get(b("key-" + i)), "key-" + i);
                }
            }
            assertArrayEquals(new byte[0], db.get(b("empty")));
        }
    }
}
