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

    /**
     * A compaction that retires the segment a reader is inside waits for the reader: its view
     * stays mapped. Before the read gate the view was unmapped under the reader (which then met
     * "Already closed", or on Temurin 25.0.3 at times crashed the JVM); with the gate's drain
     * taken out of the retirement this test fails that way. The wait is outside the write lock,
     * so the reader may write from inside its call (a wait under the write lock deadlocks here).
     */
    @Test
    void shouldKeepTheViewMappedWhileACompactionRetiresItsSegment() throws Exception {
        Mapcask db = Mapcask.open(dir, MapcaskOptions.builder().segmentSize(32 << 10)
                .compactionBackground(false).build());
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 500; i++) {
                db.put(b("k" + i), b("value-" + i + "-" + round)); // every sealed segment has garbage
            }
        }
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try {
                seen.set(db.get(b("k1"), v -> {
                    inside.countDown();
                    try {
                        letGo.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    db.put(b("written-inside"), b("x"));
                    return new String(v.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                }));
            } catch (Throwable t) {
                seen.set(t);
            }
        });
        assertTrue(inside.await(10, java.util.concurrent.TimeUnit.SECONDS));
        Thread compactor = Thread.ofPlatform().daemon().start(db::compact);
        compactor.join(300); // with the reader inside, the compaction stops at its retirement
        boolean compactionWaited = compactor.isAlive();
        letGo.countDown();
        reader.join(10_000);
        // On a deadlock the store is left open: its close would wait for the stuck reader.
        assertTrue(!reader.isAlive(), "a write from inside a zero-copy read deadlocked with the retirement");
        compactor.join();
        try {
            assertEquals("value-1-1", seen.get(), "the reader's view, read after the compaction ran");
            assertTrue(compactionWaited, "the compaction retired the reader's segment without waiting for it");
            assertArrayEquals(b("value-1-1"), db.get(b("k1")));
            assertArrayEquals(b("x"), db.get(b("written-inside")));
        } finally {
            db.close();
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
