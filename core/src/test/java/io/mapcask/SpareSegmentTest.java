package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.mmap.SimFault;
import io.mapcask.mmap.SimFs;
import io.mapcask.mmap.SimHook;
import io.mapcask.mmap.SimOp;
import io.mapcask.mmap.SimOpKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The next data segment, created ahead of the roll by the background thread ({@link
 * Store#prepareSpareSegment}): the roll names it active without creating a file, a close deletes
 * an unused one, and after a crash it is an orphan that recovery deletes. The background thread is
 * off here; the tests call the step it runs.
 */
class SpareSegmentTest {
    private static final MapcaskOptions OPTIONS = MapcaskOptions.builder().segmentSize(64 << 10)
            .compactionBackground(false).build();
    private static final byte[] VALUE = new byte[1000];

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static Set<String> dataFiles(SimFs fs) throws IOException {
        Set<String> names = new HashSet<>();
        for (String n : fs.list(CrashHarness.DIR)) {
            if (n.endsWith(".data")) {
                names.add(n);
            }
        }
        return names;
    }

    /** Puts keys from {@code from} until the active segment is over half full; returns the next key. */
    private static int fillHalf(Mapcask db, int from) {
        for (int i = from; i < from + 40; i++) {
            db.put(key(i), VALUE);
        }
        return from + 40;
    }

    /** @return the one file {@code after} has that {@code before} has not */
    private static String added(Set<String> before, Set<String> after) {
        Set<String> diff = new HashSet<>(after);
        diff.removeAll(before);
        assertEquals(1, diff.size(), "new files " + diff);
        return diff.iterator().next();
    }

    @Test
    void shouldRollIntoTheSpareWithoutCreatingAFileAndDeleteAnUnusedOneAtClose() throws IOException {
        SimFs fs = CrashHarness.fresh(31);
        String spare;
        try (Mapcask db = Mapcask.open(fs, CrashHarness.DIR, OPTIONS)) {
            Store store = db.storeForTest();
            assertFalse(store.prepareSpareSegment(), "the active segment is not half full yet");
            int next = fillHalf(db, 0);
            Set<String> before = dataFiles(fs);
            assertTrue(store.prepareSpareSegment());
            assertFalse(store.prepareSpareSegment(), "one spare at a time");
            added(before, dataFiles(fs));

            AtomicInteger creates = new AtomicInteger();
            fs.setHook(new SimHook() {
                @Override
                public SimFault before(SimFs f, SimOp op) {
                    if (op.kind() == SimOpKind.CREATE && op.path().getFileName().toString().endsWith(".data")) {
                        creates.incrementAndGet();
                    }
                    return null;
                }
            });
            long rolls = db.stats().segmentRolls();
            for (; db.stats().segmentRolls() == rolls; next++) {
                db.put(key(next), VALUE);
            }
            fs.setHook(SimHook.NONE);
            assertEquals(0, creates.get(), "the roll created a data file instead of using the spare");
            assertEquals(dataFiles(fs).size(), before.size() + 1, "the spare became the active segment");

            fillHalf(db, next);
            Set<String> beforeSecond = dataFiles(fs);
            assertTrue(store.prepareSpareSegment());
            spare = added(beforeSecond, dataFiles(fs));
            for (int i = 0; i < next + 40; i++) {
                assertArrayEquals(VALUE, db.get(key(i)), "key " + i);
            }
        }
        assertFalse(fs.exists(CrashHarness.DIR.resolve(spare)), "close left the unused spare " + spare);
    }

    @Test
    void shouldDeleteTheSpareAsAnOrphanAfterACrash() throws IOException {
        SimFs fs = CrashHarness.fresh(32);
        String spare;
        int written;
        SimFs image;
        try (Mapcask db = Mapcask.open(fs, CrashHarness.DIR, OPTIONS)) {
            written = fillHalf(db, 0);
            db.sync();
            Set<String> before = dataFiles(fs);
            assertTrue(db.storeForTest().prepareSpareSegment());
            spare = added(before, dataFiles(fs));
            image = fs.crashState().durableImage(); // power loss with the spare on disk
        }
        assertTrue(image.exists(CrashHarness.DIR.resolve(spare)), "the spare was made durable before it was kept");
        try (Mapcask db = Mapcask.open(image, CrashHarness.DIR, OPTIONS)) {
            assertFalse(image.exists(CrashHarness.DIR.resolve(spare)), "recovery kept the orphan spare " + spare);
            for (int i = 0; i < written; i++) {
                assertArrayEquals(VALUE, db.get(key(i)), "key " + i);
            }
            db.put(key(written), VALUE); // and the store goes on writing
        }
    }

    /**
     * A full compaction leaves no active segment; an unused spare would keep a whole preallocated
     * segment on disk until the next write (W6 measured it as 64 MiB over the compacted data).
     */
    @Test
    void shouldDeleteAnUnusedSpareAtAFullCompaction() throws IOException {
        SimFs fs = CrashHarness.fresh(33);
        try (Mapcask db = Mapcask.open(fs, CrashHarness.DIR, OPTIONS)) {
            Store store = db.storeForTest();
            int next = fillHalf(db, 0);
            Set<String> before = dataFiles(fs);
            assertTrue(store.prepareSpareSegment());
            String spare = added(before, dataFiles(fs));
            db.compact();
            assertFalse(dataFiles(fs).contains(spare), "the spare outlived the full compaction");
            db.put(key(next), VALUE); // the next write creates its segment
            for (int i = 0; i <= next; i++) {
                assertArrayEquals(VALUE, db.get(key(i)));
            }
        }
    }
}
