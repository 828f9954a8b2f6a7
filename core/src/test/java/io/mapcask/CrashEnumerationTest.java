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
        MapcaskOptions always = MapcaskOptions.builder().segmentSize(16 << 10).manifestMaxSize(1 << 10)
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
        w.add(CrashHarness.Workload.of("manifest past its size limit, rotated between commit and unlinks", small,
                "put a", "rotate", "put b", "rotate", "put c", "rotate", "put d", "rotate", "compact", "put e",
                "rotate", "compact", "put f", "sync"));
        return w;
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
