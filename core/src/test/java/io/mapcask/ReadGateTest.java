package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The read gate: a drain waits for the readers inside, and only for them; a shut gate refuses readers. */
class ReadGateTest {

    @Test
    void shouldDrainOnlyAfterTheReadersInsideHaveLeft() throws Exception {
        ReadGate gate = new ReadGate();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> {
            int ticket = gate.enter();
            entered.countDown();
            try {
                leave.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gate.exit(ticket);
        });
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        Thread drainer = Thread.ofPlatform().start(gate::drain);
        drainer.join(Duration.ofMillis(200));
        assertTrue(drainer.isAlive(), "the drain returned with a reader inside");

        // A reader that enters after the drain began is not waited for.
        int later = gate.enter();
        assertTrue(later >= 0);
        leave.countDown();
        drainer.join(Duration.ofSeconds(10));
        assertFalse(drainer.isAlive(), "the drain did not return once the reader left");
        reader.join();
        gate.exit(later);
    }

    @Test
    void shouldDrainAtOnceWithNoReaderInside() throws Exception {
        ReadGate gate = new ReadGate();
        for (int i = 0; i < 1_000; i++) {
            int t = gate.enter();
            gate.exit(t);
            gate.drain();
        }
        Thread drainer = Thread.ofPlatform().start(gate::drain);
        drainer.join(Duration.ofSeconds(10));
        assertFalse(drainer.isAlive());
    }

    @Test
    void shouldRefuseReadersOnceShut() {
        ReadGate gate = new ReadGate();
        int t = gate.enter();
        gate.exit(t);
        gate.shut();
        assertEquals(-1, gate.enter());
        assertEquals(-1, gate.enter(), "no ticket, and nothing counted that would hold a later drain");
        gate.drain();
    }
}
