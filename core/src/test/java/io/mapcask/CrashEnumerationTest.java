package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.mmap.SimOpKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Crash-point enumeration (DESIGN §8, CRASH-TESTING §4): each workload is crashed before and
 * after every state-changing IO op, every crash image (all subsets of the unsynced pages, sizes
 * and directory operations when they are few; the standard policies and torn pages otherwise)
 * is opened and checked against the oracle, and recoveries are crashed in turn. The counts are
 * printed and must reach the targets.
 */
class CrashEnumerationTest {
    private static final long SEED = Long.getLong("mapcask.test.seed", 1L);

    static List<CrashHarness.Workload> workloads() {
        MapcaskOptions small = CrashHarness.smallStore();
        MapcaskOptions always = MapcaskOptions.builder().segmentSize(16 << 10).manifestMaxSize(1 << 10).compactionBackground(false)
                .syncMode(MapcaskOptions.SyncMode.ALWAYS).build();
        List<CrashHarness.Workload> w = new ArrayList<>();
        w.add(CrashHarness.Workload.of("puts, deletes and overwrites with syncs, rotations", small,
                "put a", "put b", "sync", "put a", "del b", "rotate", "put c", "sync", "put b", "rotate",
                "del a", "put c", "sync", "rotate", "put a"));
        w.add(CrashHarness.Workload.of("three sealed segments with overwrites and tombstones, then compact", small,
                "put a", "put b", "put c", "sync", "rotate", "put a", "del b", "sync", "rotate", "put c", "del a",
                "put d", "sync", "rotate", "compact", "put b", "sync"));
        w.add(CrashHarness.Workload.of("hints, reopen from hints, compaction removing a hinted segment", small,
                "put a", "put b", "rotate", "put a", "reopen", "put c", "compact", "reopen", "del c", "sync"));
        w.add(CrashHarness.Workload.of("delete while an older version lives outside the compaction", small,
                "put k", "rotate", "put x", "del k", "rotate", "put y", "sync", "compact-tail", "reopen", "put z",
                "compact-tail", "sync", "compact"));
        w.add(CrashHarness.Workload.of("sync.mode=always with rotation and compaction", always,
                "put a", "put b", "del a", "rotate", "put a", "put c", "compact", "del c"));
        MapcaskOptions singleFlush = MapcaskOptions.builder().segmentSize(16 << 10).manifestMaxSize(1 << 10)
                .compactionBackground(false).syncMode(MapcaskOptions.SyncMode.ALWAYS).syncSingleFlush(true).build();
        w.add(CrashHarness.Workload.of("sync.mode=always with one flush per force (lagging durable mark)", singleFlush,
                "put a", "put b", "del a", "put c", "batch a d -b", "rotate", "put a", "put e", "reopen", "put b",
                "put f", "compact", "del e"));
        w.add(CrashHarness.Workload.of("atomic batches across rotation, compaction and reopen", small,
                "put a", "sync", "batch a b c", "batch -a d e", "rotate", "batch b -c f", "sync", "batch a b c d",
                "compact", "batch -b e", "reopen", "batch f a"));
        MapcaskOptions group = MapcaskOptions.builder().segmentSize(16 << 10).manifestMaxSize(1 << 10).compactionBackground(false)
                .syncMode(MapcaskOptions.SyncMode.GROUP).build();
        w.add(CrashHarness.Workload.of("sync.mode=group with rotation and a reopen", group,
                "put a", "put b", "rotate", "del a", "put c", "reopen", "put a", "compact", "put b"));
        w.add(CrashHarness.Workload.of("manifest past its size limit, rotated between commit and unlinks", small,
                "put a", "rotate", "put b", "rotate", "put c", "rotate", "put d", "rotate", "compact", "put e",
                "rotate", "compact", "put f", "sync"));
        // Every close writes the keydir checkpoint and every reopen loads it; here also a reopen after a
        // crash finds it with newer segments, and a partial compaction makes it stale.
        w.add(CrashHarness.Workload.of("keydir checkpoint: written, loaded, newer segments on top, stale", small,
                "put a", "put b", "rotate", "put c", "del a", "reopen", "put a", "del c", "rotate", "put d",
                "compact-tail", "put b", "sync"));
        return w;
    }

    /** The operations of the bounded-exhaustive workloads (Ace). */
    private static final List<String> ACE_OPS =
            List.of("put k1", "put k2", "del k1", "sync", "compact", "rotate", "reopen");

    /** Every sequence of 1..maxLength operations, after a prefix that leaves a sealed and an active segment. */
    static List<CrashHarness.Workload> boundedWorkloads(int maxLength) {
        List<List<String>> sequences = new ArrayList<>();
        sequences.add(List.of());
        List<CrashHarness.Workload> w = new ArrayList<>();
        for (int length = 1; length <= maxLength; length++) {
            List<List<String>> longer = new ArrayList<>();
            for (List<String> seq : sequences) {
                for (String op : ACE_OPS) {
                    List<String> next = new ArrayList<>(seq);
                    next.add(op);
                    longer.add(next);
                }
            }
            sequences = longer;
            for (List<String> seq : sequences) {
                List<String> steps = new ArrayList<>(List.of("put k1", "put k2", "sync", "rotate", "put k1"));
                steps.addAll(seq);
                w.add(new CrashHarness.Workload("ace " + seq, steps, CrashHarness.smallStore()));
            }
        }
        return w;
    }

    @Test
    void shouldRecoverAnAllowedStateAfterEveryShortSequenceOfOperations() {
        int maxLength = Boolean.getBoolean("mapcask.long") ? 3 : 2;
        List<CrashHarness.Workload> workloads = boundedWorkloads(maxLength);
        CrashHarness.Counts total = new CrashHarness.Counts();
        for (CrashHarness.Workload w : workloads) {
            total.add(CrashHarness.enumerate(w, SEED, 0));
        }
        System.out.println("bounded-exhaustive crash enumeration: " + workloads.size() + " workloads of <= " + maxLength
                + " operations: " + total);
        assertTrue(workloads.size() == (maxLength == 2 ? 56 : 399), "workload count " + workloads.size());
    }

    /** A seeded random mix of operations over a few keys. */
    static CrashHarness.Workload randomWorkload(long seed, int length) {
        java.util.Random rnd = new java.util.Random(seed);
        String[] keys = {"a", "b", "c", "d", "e"};
        List<String> steps = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            int dice = rnd.nextInt(100);
            String k = keys[rnd.nextInt(keys.length)];
            if (dice < 8) {
                steps.add("batch " + k + " -" + keys[rnd.nextInt(keys.length)] + " " + keys[rnd.nextInt(keys.length)]);
                continue;
            }
            steps.add(dice < 45 ? "put " + k : dice < 60 ? "del " + k : dice < 75 ? "sync" : dice < 82 ? "rotate"
                    : dice < 88 ? "compact" : dice < 93 ? "compact-tail" : "reopen");
        }
        MapcaskOptions options = rnd.nextInt(4) == 0
                ? MapcaskOptions.builder().segmentSize(16 << 10).manifestMaxSize(1 << 10).compactionBackground(false)
                        .syncMode(MapcaskOptions.SyncMode.ALWAYS).syncSingleFlush(rnd.nextBoolean()).build()
                : CrashHarness.smallStore();
        return new CrashHarness.Workload("random workload " + seed + " " + steps, steps, options);
    }

    @Test
    void shouldRecoverAnAllowedStateAfterRandomWorkloads() {
        boolean long_ = Boolean.getBoolean("mapcask.long");
        int workloads = long_ ? 500 : 12;
        CrashHarness.Counts total = new CrashHarness.Counts();
        for (int i = 0; i < workloads; i++) {
            total.add(CrashHarness.enumerate(randomWorkload(SEED * 1_000_003L + i, 24), SEED + i, 8));
        }
        System.out.println("random crash enumeration: " + workloads + " workloads of 24 operations: " + total);
        if (long_) {
            assertTrue(total.images >= 1_000_000, "the long run checks at least 1,000,000 crash images: " + total);
        }
    }

    @Test
    void shouldRecoverAnAllowedStateFromEveryCrashImage() {
        CrashHarness.Counts total = new CrashHarness.Counts();
        for (CrashHarness.Workload w : workloads()) {
            CrashHarness.Counts c = CrashHarness.enumerate(w, SEED, 3);
            System.out.println("crash enumeration [" + w + "]: " + c);
            total.add(c);
        }
        System.out.println("crash enumeration total: " + total);
        assertTrue(total.images >= 10_000, "at least 10,000 crash images: " + total);
        assertTrue(total.recoveryImages >= 1_000, "at least 1,000 images of crashed recoveries: " + total);
        for (SimOpKind k : new SimOpKind[] {SimOpKind.CREATE, SimOpKind.ALLOCATE, SimOpKind.SYNC, SimOpKind.FORCE,
                SimOpKind.DIR_SYNC, SimOpKind.RENAME, SimOpKind.DELETE, SimOpKind.WRITE, SimOpKind.TRUNCATE}) {
            assertTrue(total.crashPointKinds.getOrDefault(k, 0L) > 0, k + " was never a crash point: " + total);
        }
    }
}
