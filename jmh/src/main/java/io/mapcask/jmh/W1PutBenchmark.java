package io.mapcask.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * W1: random overwrite {@code put}, no sync, one thread, throughput (ops/s).
 *
 * <p>Each call overwrites a uniformly random preloaded key with a random pool value of the same
 * size, in the engine's no-sync mode ({@link KvEngine.Durability#NONE}; see each engine's class
 * comment). For Mapcask every call appends a record, so the measurement includes segment
 * rotation (each full segment is forced, hinted and committed when sealed) and the page faults
 * of fresh segments; nothing is compacted, so the store grows by about {@code 24 + 16 +
 * valueSize} bytes (8-aligned) a call. LSM and B-tree peers pay their own flushes and
 * compactions in the background, on the same two cores.
 *
 * <p>Setup verifies the preload exactly; teardown verifies the sample again (any pool value).
 * Iterations and forks here are the defaults of a plain JMH run; {@code ./scripts/bench} sets
 * them per profile and adds each engine's own JVM flags ({@link BenchMain}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {KvWorkload.NATIVE_ACCESS, KvWorkload.UNSAFE_ALLOW, KvWorkload.HEAP_MIN, KvWorkload.HEAP_MAX})
@State(Scope.Benchmark)
public class W1PutBenchmark extends KvWorkload {

    @Setup(Level.Trial)
    public void setUp() {
        setUpPreloaded();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        verifyThenCleanUp(-1, "after the measured puts");
    }

    @Benchmark
    public void put(Cursor c) {
        long r = c.next();
        kv.put(keys[index(r, keyCount)], values[(int) r & (VALUE_POOL - 1)]);
    }
}
