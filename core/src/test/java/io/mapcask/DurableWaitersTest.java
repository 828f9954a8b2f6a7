package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The group-commit wait: a waiter is woken by the release that covers it, never left to its
 * park's timeout. Waiters here park for a minute, so one missed wake-up fails the test by its
 * deadline instead of costing a millisecond as it would in the store.
 */
class DurableWaitersTest {
    private static final long LONG_PARK = TimeUnit.MINUTES.toNanos(1);

    /** The store's wait loop, with a long park. */
    private static void await(DurableWaiters waiters, AtomicLong durable, long sequence) {
        while (durable.get() < sequence) {
            waiters.enqueue(sequence);
            if (durable.get() < sequence) {
                DurableWaiters.park(LONG_PARK);
            }
        }
    }

    /** One step of a test thread's loop; may block. */
    private interface Step {
        void run(int iteration) throws Exception;
    }

    /** Starts a daemon thread that runs {@code step} for iterations 0 .. n - 1. */
    private static void startLoop(int n, Step step) {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    step.run(i);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void shouldWakeEveryCoveredWaiterWithConcurrentWakers() throws Exception {
        long seed = new SplittableRandom().nextLong();
        try {
            for (int round = 0; round < 20; round++) {
                runRound(new SplittableRandom(seed + round));
            }
        } catch (Throwable t) {
            throw new AssertionError("seed " + seed + ": " + t.getMessage(), t);
        }
    }

    /**
     * Writers take sequences and wait for them; two wakers advance the durable sequence by random
     * steps and release, each racing the other for the stack, as a leader and the previous leader
     * do in the store.
     */
    private static void runRound(SplittableRandom rnd) throws Exception {
        DurableWaiters waiters = new DurableWaiters();
        AtomicLong published = new AtomicLong();
        AtomicLong durable = new AtomicLong();
        int writers = 2 + rnd.nextInt(15);
        int waitsEach = 200;
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(writers);
        for (int t = 0; t < writers; t++) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < waitsEach; i++) {
                        await(waiters, durable, published.incrementAndGet());
                    }
                    done.incrementAndGet();
                } catch (Throwable e) {
                    error.set(e);
                } finally {
                    finished.countDown();
                }
            });
        }
        long wakerSeed = rnd.nextLong();
        Runnable waker = () -> {
            SplittableRandom r = new SplittableRandom(wakerSeed ^ Thread.currentThread().threadId());
            while (finished.getCount() > 0) {
                long target = published.get() - r.nextInt(3);
                durable.accumulateAndGet(target, Math::max);
                waiters.release(durable::get, false);
                if (r.nextInt(8) == 0) {
                    Thread.yield();
                }
            }
        };
        Thread w1 = Thread.ofPlatform().daemon().start(waker);
        Thread w2 = Thread.ofPlatform().daemon().start(waker);
        boolean allDone = finished.await(30, TimeUnit.SECONDS);
        w1.join(Duration.ofSeconds(5));
        w2.join(Duration.ofSeconds(5));
        if (error.get() != null) {
            throw new AssertionError("a writer failed", error.get());
        }
        assertTrue(allDone, "writers left parked after the durable sequence passed them: "
                + (writers - done.get()) + " of " + writers + " (a missed wake-up)");
        assertEquals(writers, done.get());
    }

    /**
     * The race the re-read in {@code release} is for: waker A takes the stack while nothing is
     * durable and holds the waiters; waker B then makes them durable and releases an empty stack.
     * Only A, reading the durable sequence again after putting the waiters back, can wake them.
     */
    @Test
    void shouldWakeWaitersThatAConcurrentWakerHeldWhileTheyBecameDurable() throws Exception {
        DurableWaiters waiters = new DurableWaiters();
        AtomicLong durable = new AtomicLong();
        int writers = 16;
        int iterations = 1_000;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers + 3);
        java.util.concurrent.CyclicBarrier wakers = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.Semaphore woken = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.Semaphore queued = new java.util.concurrent.Semaphore(0);
        for (int t = 0; t < writers; t++) {
            startLoop(iterations, i -> {
                start.await();
                long sequence = (i + 1L) * 10;
                waiters.enqueue(sequence);
                queued.release();
                await(waiters, durable, sequence);
                woken.release();
            });
        }
        startLoop(iterations, i -> { // waker A
            start.await();
            queued.acquire(writers);
            wakers.await();
            waiters.release(durable::get, false);
        });
        startLoop(iterations, i -> { // waker B
            start.await();
            wakers.await();
            for (int spin = 0; spin < 100_000 && !waiters.stackEmpty(); spin++) {
                Thread.onSpinWait(); // until A has taken the stack
            }
            durable.set((i + 1L) * 10);
            waiters.release(durable::get, false);
        });
        for (int i = 0; i < iterations; i++) {
            start.await(10, TimeUnit.SECONDS);
            assertTrue(woken.tryAcquire(writers, 10, TimeUnit.SECONDS),
                    "iteration " + i + ": a waiter stayed parked after its sequence became durable (a missed wake-up)");
        }
    }

    @Test
    void shouldReleaseOneUncoveredWaiterToLeadAndKeepTheOthers() throws Exception {
        DurableWaiters waiters = new DurableWaiters();
        AtomicLong durable = new AtomicLong();
        int count = 5;
        CountDownLatch parked = new CountDownLatch(count);
        AtomicInteger woken = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            long sequence = 10 + t;
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                waiters.enqueue(sequence);
                parked.countDown();
                DurableWaiters.park(LONG_PARK);
                woken.incrementAndGet();
            }));
        }
        parked.await();
        Thread.sleep(50); // let them all reach park
        waiters.release(durable::get, true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (woken.get() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        Thread.sleep(50);
        assertEquals(1, woken.get(), "exactly one waiter released to lead the next force");

        durable.set(100);
        waiters.release(durable::get, false);
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(5));
            assertTrue(!t.isAlive(), "a covered waiter was not released");
        }
        assertEquals(count, woken.get());
    }
}
