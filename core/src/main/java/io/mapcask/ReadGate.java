package io.mapcask;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a mapping from being unmapped while a thread without the write lock reads it.
 *
 * <p>Readers used to rely on the arena alone: closing a shared {@code Arena} is meant to make a
 * thread inside one of its segments fail with {@link IllegalStateException}. On Temurin 25.0.3
 * it does not always: a reader racing a close crashed the JVM (SIGSEGV in the copy of a value,
 * the symptom of JDK-8364167), in the test suite as well as in long stress runs. So nothing is
 * unmapped while a reader might be inside, and the arena's check is left only for what it does
 * reliably: refuse a segment that is already closed.
 *
 * <p>Two epochs, each a set of counters (one cache line each, threads spread over them by id).
 * A reader adds itself to the current epoch's counter, checks that the epoch did not change
 * meanwhile (else moves to the new one), reads, and takes itself off. To unmap, the store first
 * makes the mapping unreachable (out of {@link Segments} and the keydir, or the whole store
 * {@link #shut}), then calls {@link #drain}: it switches the epoch and waits until the old
 * epoch's counters are zero. A reader counted in the old epoch may hold the mapping; one counted
 * in the new epoch entered after it became unreachable.
 *
 * <p>Cost to a reader: two atomic adds on a line its thread mostly has to itself.
 */
final class ReadGate {
    private static final int STRIPES = 32;
    /** Longs per counter: a counter per 128 bytes, so that two never share a cache line (or its pair). */
    private static final int PAD = 16;

    private final AtomicLongArray counts = new AtomicLongArray(2 * STRIPES * PAD);
    private volatile int epoch;
    private volatile boolean shut;

    /**
     * Call before touching any mapping without the write lock.
     *
     * @return the ticket to give {@link #exit}, or -1 (and nothing to exit) when the store is
     *     shut: the caller must not touch any mapping
     */
    int enter() {
        int stripe = (int) Thread.currentThread().threadId() & (STRIPES - 1);
        while (true) {
            int e = epoch;
            int slot = (e * STRIPES + stripe) * PAD;
            counts.getAndIncrement(slot);
            if (epoch == e) {
                if (shut) {
                    counts.getAndDecrement(slot);
                    return -1;
                }
                return slot;
            }
            counts.getAndDecrement(slot); // a drain switched the epoch meanwhile: count in the new one
        }
    }

    void exit(int ticket) {
        counts.getAndDecrement(ticket);
    }

    /**
     * Waits until every reader that entered before this call has exited. Synchronized: a drain
     * that switched the epoch back under another would wait on readers that keep coming.
     */
    synchronized void drain() {
        int old = epoch;
        epoch = old ^ 1;
        for (int s = 0; s < STRIPES; s++) {
            int slot = (old * STRIPES + s) * PAD;
            for (int spins = 0; counts.get(slot) != 0; spins++) {
                if (spins < 100) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(10_000);
                }
            }
        }
    }

    /** At close: refuses every later {@link #enter}, then drains. */
    void shut() {
        shut = true;
        drain();
    }
}
