package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.mmap.SimFs;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link Store#populateAhead}, the background step that faults the active segment's next pages in
 * ahead of the writer: it reaches as far past the writer as the store has written since it opened,
 * at most {@code segment.populate.ahead}, in steps of at least 1 MiB, never past the segment's
 * end. (That the kernel then has the pages mapped is RealFsTest's to check.) The background thread
 * is off here; the test calls the step it runs.
 */
class PopulateAheadTest {
    private static final long MIB = 1 << 20;
    private static final long SEGMENT = 64 * MIB;
    private static final long AHEAD = 16 * MIB;
    private static final byte[] VALUE = new byte[4000];

    private static int write(Mapcask db, int from, long bytes) {
        int i = from;
        for (long written = 0; written < bytes; written += VALUE.length) {
            db.put(("key-" + i++).getBytes(StandardCharsets.UTF_8), VALUE);
        }
        return i;
    }

    @Test
    void shouldPopulateAsFarAheadAsTheStoreHasWrittenAtMostTheCapAndNotPastTheEnd() {
        SimFs fs = CrashHarness.fresh(7);
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(SEGMENT).segmentPopulateAhead(AHEAD)
                .compactionBackground(false).build();
        try (Mapcask db = Mapcask.open(fs, CrashHarness.DIR, options)) {
            Store store = db.storeForTest();
            assertFalse(store.populateAhead(), "a store that has written nothing populates nothing");
            int next = write(db, 0, 200 << 10);
            assertFalse(store.populateAhead(), "less than a step ahead");

            next = write(db, next, 3 * MIB);
            ActiveSegment a = store.activeForTest();
            long written = db.stats().bytesWritten();
            assertTrue(store.populateAhead());
            assertEquals((a.writePosition() + written) & -4096, a.populatedTo());
            assertFalse(store.populateAhead(), "nothing new to populate");

            next = write(db, next, 17 * MIB);
            assertTrue(store.populateAhead());
            assertEquals((a.writePosition() + AHEAD) & -4096, a.populatedTo(), "the cap");

            write(db, next, 29 * MIB);
            assertTrue(a == store.activeForTest(), "still the first segment");
            assertTrue(store.populateAhead());
            assertEquals(SEGMENT, a.populatedTo(), "up to the segment's end, not past it");
        }
    }

    @Test
    void shouldPopulateNothingWhenTurnedOff() {
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(SEGMENT).segmentPopulateAhead(0)
                .compactionBackground(false).build();
        try (Mapcask db = Mapcask.open(CrashHarness.fresh(8), CrashHarness.DIR, options)) {
            write(db, 0, 3 * MIB);
            assertFalse(db.storeForTest().populateAhead());
            assertEquals(0, db.storeForTest().activeForTest().populatedTo());
        }
    }
}
