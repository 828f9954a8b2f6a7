package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mapcask.mmap.SimFault;
import io.mapcask.mmap.SimFs;
import io.mapcask.mmap.SimHook;
import io.mapcask.mmap.SimOp;
import io.mapcask.mmap.SimOpKind;
import io.mapcask.mmap.SimTrace;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Injected IO errors (DESIGN §8, CRASH-TESTING §6): EIO at every failable op of every crash
 * workload, ENOSPC at every write and preallocation. SimFs models fsyncgate: a failed sync or
 * force persists a random part of the dirty pages and marks the rest clean. Required: the
 * failing call throws a {@link MapcaskException} and nothing it covered is acknowledged; a failed
 * barrier makes the instance fail-stop (every later write and sync throws until reopen); after
 * the error, both a power loss and a process crash leave a state the oracle allows.
 */
class IoErrorTest {

    @Test
    void shouldFailStopAndNeverAcknowledgeWhatIsNotDurable() {
        long seed = Long.getLong("mapcask.test.seed", 3L);
        int runs = 0;
        Map<String, Integer> outcomes = new TreeMap<>();
        for (CrashHarness.Workload w : CrashEnumerationTest.workloads()) {
            SimFs probe = CrashHarness.fresh(seed);
            SimTrace trace = new SimTrace();
            probe.setHook(trace);
            CrashHarness.run(w, probe, new CrashHarness.Oracle(), null);
            for (SimOp op : trace.ops()) {
                if (!op.kind().canFail()) {
                    continue;
                }
                for (SimFault fault : faultsFor(op.kind())) {
                    runs++;
                    inject(w, seed, op, fault, outcomes);
                }
            }
        }
        System.out.println("IO errors: " + runs + " injected failures; outcomes " + outcomes);
        assertTrue(runs >= 250, "at least 250 injected failures, got " + runs);
    }

    private static SimFault[] faultsFor(SimOpKind kind) {
        return kind == SimOpKind.WRITE || kind == SimOpKind.ALLOCATE
                ? new SimFault[] {SimFault.EIO, SimFault.ENOSPC}
                : new SimFault[] {SimFault.EIO};
    }

    private static void inject(CrashHarness.Workload w, long seed, SimOp op, SimFault fault,
            Map<String, Integer> outcomes) {
        String where = w + ", seed " + seed + ", " + fault + " at op " + op;
        SimFs fs = CrashHarness.fresh(seed);
        fs.setHook(SimHook.failAt(op.index(), fault));
        CrashHarness.Oracle oracle = new CrashHarness.Oracle();
        TreeMap<Integer, MapcaskException> failures = new TreeMap<>();
        try {
            CrashHarness.run(w, fs, oracle, failures::put);
        } catch (MapcaskException e) {
            // The failure hit the first open: nothing was written or acknowledged.
            outcomes.merge("open refused", 1, Integer::sum);
            failures.put(-1, e);
        } catch (RuntimeException | Error e) {
            throw new AssertionError("an injected IO error escaped as " + e + " (" + where + ")", e);
        }
        checkFailStop(w, failures, where);
        if (!failures.containsKey(-1)) {
            outcomes.merge(failures.isEmpty() ? "absorbed" : "reported", 1, Integer::sum);
        }
        var state = fs.crashState();
        CrashHarness.checkImage(state.durableImage(), oracle, where + ", then power loss", w.options());
        CrashHarness.checkImage(state.allVolatileImage(), oracle, where + ", then process crash", w.options());
    }

    /** After a failed sync, every write and sync of the same instance must fail until it is reopened. */
    private static void checkFailStop(CrashHarness.Workload w, TreeMap<Integer, MapcaskException> failures,
            String where) {
        for (Map.Entry<Integer, MapcaskException> f : failures.entrySet()) {
            int i = f.getKey();
            if (i < 0 || i >= w.steps().size() || !w.steps().get(i).equals("sync")) {
                continue;
            }
            for (int j = i + 1; j < w.steps().size(); j++) {
                String step = w.steps().get(j);
                if (step.equals("reopen")) {
                    break;
                }
                boolean write = step.startsWith("put") || step.startsWith("del") || step.equals("sync");
                if (write && !failures.containsKey(j)) {
                    fail("step " + j + " (" + step + ") succeeded after the failed sync at step " + i + " (" + where
                            + "): " + f.getValue());
                }
            }
        }
    }
}
