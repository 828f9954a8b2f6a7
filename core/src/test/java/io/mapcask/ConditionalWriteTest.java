package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConditionalWriteTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteOnlyWhenTheConditionHolds() {
        try (Mapcask db = Mapcask.open(dir)) {
            assertFalse(db.containsKey(b("k")));
            assertTrue(db.putIfAbsent(b("k"), b("one")));
            assertFalse(db.putIfAbsent(b("k"), b("two")), "present: nothing written");
            assertArrayEquals(b("one"), db.get(b("k")));
            assertTrue(db.containsKey(b("k")));
            assertFalse(db.replace(b("k"), b("two"), b("three")), "value differs: nothing written");
            assertTrue(db.replace(b("k"), b("one"), b("three")));
            assertArrayEquals(b("three"), db.get(b("k")));
            assertFalse(db.replace(b("absent"), b(""), b("x")), "absent keys are never replaced");
            db.put(b("empty"), new byte[0]);
            assertTrue(db.containsKey(b("empty")), "an empty value is present");
            assertTrue(db.replace(b("empty"), new byte[0], b("full")));
            assertTrue(db.delete(b("k")));
            assertFalse(db.containsKey(b("k")));
            assertTrue(db.putIfAbsent(b("k"), b("again")), "a deleted key is absent");
            assertThrows(NullPointerException.class, () -> db.replace(b("k"), null, b("x")));
            assertThrows(NullPointerException.class, () -> db.putIfAbsent(b("k"), null));
        }
        try (Mapcask db = Mapcask.open(dir)) {
            assertArrayEquals(b("again"), db.get(b("k")));
            assertArrayEquals(b("full"), db.get(b("empty")));
            assertNull(db.get(b("absent")));
        }
    }

    @Test
    void shouldMakeCompareAndReplaceAtomicAcrossThreads() throws InterruptedException {
        int threads = 4;
        int increments = 500;
        try (Mapcask db = Mapcask.open(dir)) {
            db.put(b("counter"), ByteBuffer.allocate(8).putLong(0).array());
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < increments; i++) {
                        while (true) {
                            byte[] current = db.get(b("counter"));
                            long next = ByteBuffer.wrap(current).getLong() + 1;
                            if (db.replace(b("counter"), current, ByteBuffer.allocate(8).putLong(next).array())) {
                                break;
                            }
                        }
                    }
                }));
            }
            for (Thread w : workers) {
                w.join();
            }
            assertEquals(threads * increments, ByteBuffer.wrap(db.get(b("counter"))).getLong(),
                    "no increment lost: replace is a compare-and-set");
        }
    }
}
