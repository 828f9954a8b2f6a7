package io.mapcask;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The group-commit writers parked until a force covers their record, each woken by its own
 * {@link LockSupport#unpark} instead of a monitor's {@code notifyAll}: woken from a monitor, 16
 * writers had to take the monitor back one after the other, each hand-off a context switch on
 * the leader's critical path. Parked here, the writers a force covers all run at once.
 *
 * <p>A lock-free stack of one reusable {@link Waiter} per thread (no allocation per wait). A
 * waker takes the whole stack, unparks the waiters it releases and puts the others back. A
 * waiter that a waker holds is not in the stack, so a concurrent waker misses it; the holder
 * therefore checks the durable sequence again after putting waiters back. A waiter parks with
 * a timeout as well, so no missed wake-up can hold it for long.
 */
final class DurableWaiters {
    /** One thread's place in the stack. {@code queued} is true from its push until a waker releases it. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        volatile long sequence;
        volatile boolean queued;
        Waiter next;
    }

    private final AtomicReference<Waiter> top = new AtomicReference<>();
    private final ThreadLocal<Waiter> mine = ThreadLocal.withInitial(Waiter::new);

    /**
     * Puts the calling thread in the stack, waiting for {@code sequence}. The caller then checks
     * once more whether it must wait, and if so calls {@link #park}.
     */
    void enqueue(long sequence) {
        Waiter w = mine.get();
        w.sequence = sequence;
        if (!w.queued) {
            w.queued = true;
            push(w, w);
        }
    }

    /** Parks the calling thread until a waker releases it, {@code nanos} pass, or it is interrupted. */
    static void park(long nanos) {
        LockSupport.parkNanos(nanos);
    }

    /**
     * Releases the waiters whose sequence is at most {@code durable.getAsLong()}, and with {@code
     * plusOne} one more waiter, which then tries to lead the next force (a force has ended and
     * writers still wait for theirs). The durable sequence is read again after the kept waiters
     * are back in the stack, so that one a concurrent waker missed while this one held it is not
     * left behind.
     */
    void release(LongSupplier durable, boolean plusOne) {
        long upTo = durable.getAsLong();
        boolean spare = plusOne;
        while (true) {
            spare &= !wake(upTo, spare);
            long now = durable.getAsLong();
            if (now == upTo) {
                return;
            }
            upTo = now;
        }
    }

    /** @return whether a waiter past {@code upTo} was released as the spare */
    private boolean wake(long upTo, boolean spare) {
        Waiter w = top.getAndSet(null);
        Waiter keptFirst = null;
        Waiter keptLast = null;
        boolean spareUsed = false;
        while (w != null) {
            Waiter next = w.next;
            w.next = null;
            boolean covered = w.sequence <= upTo;
            if (covered || (spare && !spareUsed)) {
                spareUsed |= !covered;
                w.queued = false;
                LockSupport.unpark(w.thread);
            } else {
                if (keptFirst == null) {
                    keptFirst = w;
                } else {
                    keptLast.next = w;
                }
                keptLast = w;
            }
            w = next;
        }
        if (keptFirst != null) {
            push(keptFirst, keptLast);
        }
        return spareUsed;
    }

    /** For tests: no waiter in the stack (a waker may hold some). */
    boolean stackEmpty() {
        return top.get() == null;
    }

    /** Pushes the chain {@code first .. last} (linked by {@code next}) onto the stack. */
    private void push(Waiter first, Waiter last) {
        while (true) {
            Waiter t = top.get();
            last.next = t;
            if (top.compareAndSet(t, first)) {
                return;
            }
        }
    }
}
