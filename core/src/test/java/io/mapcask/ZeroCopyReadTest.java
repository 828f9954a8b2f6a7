package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZeroCopyReadTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldHandAReadOnlyViewOfTheValueValidDuringTheCall() {
        try (Mapcask db = Mapcask.open(dir)) {
            db.put(b("k"), b("hello"));
            db.put(b("empty"), new byte[0]);
            assertArrayEquals(b("hello"), db.get(b("k"), v -> v.toArray(ValueLayout.JAVA_BYTE)));
            assertEquals(5L, db.get(b("k"), MemorySegment::byteSize));
            assertEquals(0L, db.get(b("empty"), MemorySegment::byteSize), "empty is present");
            assertNull(db.get(b("absent"), v -> {
                throw new AssertionError("not called for an absent key");
            }));
            AtomicReference<MemorySegment> leaked = new AtomicReference<>();
            db.get(b("k"), v -> {
                leaked.set(v);
                return null;
            });
            assertTrue(leaked.get().isReadOnly());
            assertThrows(RuntimeException.class, () -> leaked.get().set(ValueLayout.JAVA_BYTE, 0, (byte) 1),
                    "a read-only view refuses writes");
            assertThrows(NullPointerException.class, () -> db.get(b("k"), (ValueReader<Object>) null));
        }
    }

    @Test
    void shouldRetryThroughTheKeydirWhenCompactionRetiresTheSegment() throws InterruptedException {
        try (Mapcask db = Mapcask.open(dir, MapcaskOptions.builder().segmentSize(32 << 10).build())) {
            for (int i = 0; i < 500; i++) {
                db.put(b("k" + i), b("value-" + i));
            }
            Thread compactor = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 30; i++) {
                    db.compact();
                }
            });
            while (compactor.isAlive()) {
                for (int i = 0; i < 500; i += 7) {
                    String expected = "value-" + i;
                    String got = db.get(b("k" + i), v -> new String(v.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
                    assertEquals(expected, got);
                }
            }
            compactor.join();
        }
    }
}
