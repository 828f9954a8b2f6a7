package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.mmap.SimFault;
import io.mapcask.mmap.SimFs;
import io.mapcask.mmap.SimHook;
import io.mapcask.mmap.SimOp;
import io.mapcask.mmap.SimOpKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code sync.mode=group}: concurrent writers share forces (counted through the IO interface),
 * and every write acknowledged by a returned {@code put} survives a power loss.
 */
class GroupCommitTest {
    private static final int THREADS = 8;
    private static final int PUTS_PER_THREAD = 150;

    /** Counts data forces and makes each take a while, as a disk flush does. */
    private static final class SlowForces implements SimHook {
        final AtomicInteger dataForces = new AtomicInteger();

        @Override
        public SimFault before(SimFs fs, SimOp op) {
            if (op.kind() == SimOpKind.FORCE && op.path().getFileName().toString().endsWith(".data")
                    && op.offset() + op.length() > SegmentHeader.DATA_START) { // records, with or without a carried mark
                dataForces.incrementAndGet();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return null;
        }
    }

    private static int run(MapcaskOptions.SyncMode mode, SimFs fs, ConcurrentHashMap<String, byte[]> acked)
            throws InterruptedException {
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(1 << 20).syncMode(mode)
                .compactionBackground(false).build();
        SlowForces forces = new SlowForces();
        Mapcask db = Mapcask.open(fs, CrashHarness.DIR, options);
        fs.setHook(forces);
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < PUTS_PER_THREAD; i++) {
                        String key = "t" + id + "-" + (i % 20);
                        byte[] value = (key + "#" + i).getBytes(StandardCharsets.UTF_8);
                        db.put(key.getBytes(StandardCharsets.UTF_8), value);
                        acked.put(key, value); // put returned: acknowledged durable
                    }
                } catch (Throwable e) {
                    error.set(e);
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        if (error.get() != null) {
            throw new AssertionError("a writer failed", error.get());
        }
        assertTrue(db.durableSequence() >= THREADS * PUTS_PER_THREAD, "durableSequence " + db.durableSequence());
        fs.setHook(SimHook.NONE);
        return forces.dataForces.get();
    }

    @Test
    void shouldShareForcesBetweenConcurrentWritersAndLoseNoAcknowledgedWrite() throws InterruptedException {
        int writes = THREADS * PUTS_PER_THREAD;
        SimFs always = CrashHarness.fresh(21);
        int alwaysForces = run(MapcaskOptions.SyncMode.ALWAYS, always, new ConcurrentHashMap<>());

        SimFs group = CrashHarness.fresh(22);
        ConcurrentHashMap<String, byte[]> acked = new ConcurrentHashMap<>();
        int groupForces = run(MapcaskOptions.SyncMode.GROUP, group, acked);
        System.out.printf("group commit: %d writes from %d threads: always %d data forces, group %d%n",
                writes, THREADS, alwaysForces, groupForces);
        assertEquals(writes, alwaysForces, "sync.mode=always forces once per write");
        assertTrue(groupForces * 2 <= writes, "group commit should share forces: " + groupForces + " for " + writes);

        // Power loss right now: only what was forced survives; every acknowledged write must be there.
        SimFs image = group.crashState().durableImage();
        try (Mapcask db = Mapcask.open(image, CrashHarness.DIR, MapcaskOptions.builder().segmentSize(1 << 20).build())) {
            for (var e : acked.entrySet()) {
                assertArrayEquals(e.getValue(), db.get(e.getKey().getBytes(StandardCharsets.UTF_8)), e.getKey());
            }
        }
    }

    /**
     * A force flushes the records, then the durable mark; the writers it covers are released
     * between the two, so the next group gathers while the mark's flush runs. Here the mark's
     * flush is held until the test lets it go: the future of the covered {@code putAsync} must
     * complete meanwhile (it waits for the mark when the release is moved after it), and a power
     * loss at that moment must keep the record (it is above the old mark, intact).
     */
    @Test
    void shouldReleaseCoveredWritersBeforeTheMarksFlushWithTheirRecordsDurable() throws Exception {
        SimFs fs = CrashHarness.fresh(23);
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(1 << 20)
                .syncMode(MapcaskOptions.SyncMode.GROUP).compactionBackground(false).build();
        CountDownLatch registered = new CountDownLatch(1);
        CountDownLatch markReached = new CountDownLatch(1);
        CountDownLatch letMarkGo = new CountDownLatch(1);
        AtomicReference<SimFs> imageAtMark = new AtomicReference<>();
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        try (Mapcask db = Mapcask.open(fs, CrashHarness.DIR, options)) {
            fs.setHook(new SimHook() {
                boolean recordsForced;

                @Override
                public SimFault before(SimFs f, SimOp op) {
                    if (op.kind() != SimOpKind.FORCE || !op.path().getFileName().toString().endsWith(".data")) {
                        return null;
                    }
                    if (op.offset() >= SegmentHeader.DATA_START) {
                        // the background thread may come before putAsync has registered its future
                        await(registered);
                        recordsForced = true;
                    } else if (recordsForced && imageAtMark.get() == null) {
                        imageAtMark.set(f.crashState().durableImage());
                        markReached.countDown();
                        await(letMarkGo); // holds the file system: nothing else moves
                    }
                    return null;
                }
            });
            var future = db.putAsync(key, value);
            registered.countDown();
            assertTrue(markReached.await(10, TimeUnit.SECONDS), "the background force never reached the mark");
            try {
                future.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the write was released only after the mark's flush", e);
            } finally {
                letMarkGo.countDown();
            }
            fs.setHook(SimHook.NONE);
        }
        try (Mapcask db = Mapcask.open(imageAtMark.get(), CrashHarness.DIR, options)) {
            assertArrayEquals(value, db.get(key), "a released write lost by a power loss before the mark's flush");
        }
    }

    /**
     * Under load a group-commit force leaves the mark's own flush out when records published after
     * it wait for the next force, which writes that mark with its records ({@code Store.deferMark}).
     * Here writer B appends while A's records flush: A's force must not flush the header on its
     * own; B's force carries A's mark and then, nobody waiting, flushes B's mark. Every crash image
     * at B's carrying flush must recover A's acknowledged write; with the carried mark claiming
     * the records of its own flush (the single-flush mutant, the same code) some image must not.
     */
    @Test
    void shouldLetTheNextForceCarryTheMarkWhileWritersWait() throws Exception {
        assertEquals(0, unrecoverableImagesAtTheCarryingFlush(ProtocolMutant.NONE), "images losing A's write");
        try {
            assertTrue(unrecoverableImagesAtTheCarryingFlush(ProtocolMutant.SINGLE_FLUSH_MARK_CLAIMS_ITS_OWN_RECORDS) > 0,
                    "no crash image caught a carried mark that claims its own flush's records");
        } finally {
            ProtocolMutant.active = ProtocolMutant.NONE;
        }
    }

    /** @return how many crash images at B's carrying flush fail to open or to return A's value */
    private static int unrecoverableImagesAtTheCarryingFlush(ProtocolMutant mutant) throws Exception {
        SimFs fs = CrashHarness.fresh(24);
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(1 << 20)
                .syncMode(MapcaskOptions.SyncMode.GROUP).compactionBackground(false).build();
        byte[] keyA = "a".getBytes(StandardCharsets.UTF_8);
        byte[] keyB = "b".getBytes(StandardCharsets.UTF_8);
        byte[] valueA = new byte[5000];
        byte[] valueB = new byte[5000];
        Arrays.fill(valueA, (byte) 'A');
        Arrays.fill(valueB, (byte) 'B');
        List<String> forces = Collections.synchronizedList(new ArrayList<>());
        List<SimFs> images = new ArrayList<>();
        AtomicReference<Thread> writerB = new AtomicReference<>();
        AtomicReference<Throwable> errorB = new AtomicReference<>();
        ProtocolMutant.active = mutant;
        try (Mapcask db = Mapcask.open(fs, CrashHarness.DIR, options)) {
            Store store = db.storeForTest();
            fs.setHook(new SimHook() {
                @Override
                public SimFault before(SimFs f, SimOp op) {
                    if (op.kind() != SimOpKind.FORCE || !op.path().getFileName().toString().endsWith(".data")) {
                        return null;
                    }
                    boolean header = op.offset() == 0;
                    boolean records = op.offset() + op.length() > SegmentHeader.DATA_START;
                    forces.add(header && records ? "carry" : header ? "mark" : "records");
                    if (!header && writerB.get() == null) { // A's records flush: B appends meanwhile
                        writerB.set(Thread.ofPlatform().start(() -> {
                            try {
                                db.put(keyB, valueB);
                            } catch (Throwable e) {
                                errorB.set(e);
                            }
                        }));
                        long deadline = System.nanoTime() + 10_000_000_000L;
                        while (store.activeForTest().publishedSequence() < 2 && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                    } else if (header && records && images.isEmpty()) {
                        f.crashState().allImages().forEach(images::add);
                    }
                    return null;
                }
            });
            db.put(keyA, valueA);
            writerB.get().join(10_000);
            fs.setHook(SimHook.NONE);
        } finally {
            ProtocolMutant.active = ProtocolMutant.NONE;
        }
        if (errorB.get() != null) {
            throw new AssertionError("writer B failed", errorB.get());
        }
        int first = forces.indexOf("records"); // before it: the new segment's header
        assertTrue(first >= 0 && forces.size() >= first + 3, "forces " + forces);
        assertEquals(List.of("records", "carry", "mark"), forces.subList(first, first + 3),
                "A's force should leave its mark to B's, and B's catch up");
        assertTrue(images.size() >= 2, "crash images at the carrying flush: " + images.size());
        int bad = 0;
        for (SimFs image : images) {
            try (Mapcask db = Mapcask.open(image, CrashHarness.DIR, options)) {
                bad += Arrays.equals(valueA, db.get(keyA)) ? 0 : 1;
            } catch (RuntimeException e) {
                bad++;
            }
        }
        return bad;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
