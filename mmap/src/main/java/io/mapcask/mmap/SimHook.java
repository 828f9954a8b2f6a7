package io.mapcask.mmap;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Observes and steers the operations of a {@link SimFs} ({@link SimFs#setHook}). Both methods
 * run under the file system's lock, on the thread making the call, so they see a consistent
 * state and may call {@link SimFs#crashState()} (a crash image "without stopping") or {@link
 * SimFs#crash(String)}.
 *
 * <ul>
 *   <li>{@link #before} may throw {@link SimulatedCrash}: the op does not happen and the file
 *       system freezes ("crash before op <i>k</i>"). It may return a {@link SimFault}: the op
 *       then fails with a {@link SimIOException} (see {@link SimFs} for what a failed op leaves
 *       behind).
 *   <li>{@link #after} runs when the op has finished, with the exception it is about to throw
 *       (an injected fault or a natural error such as a missing file), else null. Throwing
 *       {@link SimulatedCrash} there is "crash after op <i>k</i>": the op's effects stay.
 * </ul>
 */
public interface SimHook {

    /** Does nothing. */
    SimHook NONE = new SimHook() {
    };

    /** @return a fault to inject into {@code op}, or null to let it run */
    default SimFault before(SimFs fs, SimOp op) {
        return null;
    }

    default void after(SimFs fs, SimOp op, IOException failure) {
    }

    /** Crashes right before op {@code index} runs. */
    static SimHook crashBefore(long index) {
        return new SimHook() {
            @Override
            public SimFault before(SimFs fs, SimOp op) {
                if (op.index() == index) {
                    throw new SimulatedCrash("simulated crash before " + op);
                }
                return null;
            }
        };
    }

    /** Crashes right after op {@code index} ran (whether it succeeded or failed). */
    static SimHook crashAfter(long index) {
        return new SimHook() {
            @Override
            public void after(SimFs fs, SimOp op, IOException failure) {
                if (op.index() == index) {
                    throw new SimulatedCrash("simulated crash after " + op);
                }
            }
        };
    }

    /** Makes op {@code index} fail with {@code fault}. */
    static SimHook failAt(long index, SimFault fault) {
        Objects.requireNonNull(fault);
        return new SimHook() {
            @Override
            public SimFault before(SimFs fs, SimOp op) {
                return op.index() == index ? fault : null;
            }
        };
    }

    /** Makes the {@code n}-th op (from 0) of kind {@code kind} fail with {@code fault}. */
    static SimHook failNth(SimOpKind kind, int n, SimFault fault) {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(fault);
        return new SimHook() {
            private int seen;

            @Override
            public SimFault before(SimFs fs, SimOp op) {
                return op.kind() == kind && seen++ == n ? fault : null;
            }
        };
    }

    /**
     * Calls each hook in order: the first non-null fault of {@code before} wins (later hooks are
     * still called, so recorders see every op); every {@code after} is called.
     */
    static SimHook all(SimHook... hooks) {
        List<SimHook> list = List.of(hooks);
        return new SimHook() {
            @Override
            public SimFault before(SimFs fs, SimOp op) {
                SimFault fault = null;
                for (SimHook h : list) {
                    SimFault f = h.before(fs, op);
                    if (fault == null) {
                        fault = f;
                    }
                }
                return fault;
            }

            @Override
            public void after(SimFs fs, SimOp op, IOException failure) {
                for (SimHook h : list) {
                    h.after(fs, op, failure);
                }
            }
        };
    }
}
