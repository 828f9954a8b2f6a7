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
 * W2: random {@code get}, throughput (ops/s, summed over the threads).
 *
 * <ul>
 *   <li>{@link #get}: a uniformly random present key, one thread.
 *   <li>{@link #get2Threads}: the same with two reader threads at once (this box has two cores,
 *       so this is also the most any engine can scale to here).
 *   <li>{@link #getMiss90}: miss-heavy, one thread: 9 calls in 10 ask for a never-written key
 *       (drawn from {@value KvWorkload#MISS_POOL} absent keys), 1 in 10 for a present one.
 * </ul>
 *
 * <p>The returned array (a copy the caller owns, for every engine) is consumed by JMH. Mapcask
 * checks each record's CRC32C on read (its default). The store is preloaded and then only read;
 * setup and teardown verify the preload exactly.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {KvWorkload.NATIVE_ACCESS, KvWorkload.UNSAFE_ALLOW, KvWorkload.HEAP_MIN, KvWorkload.HEAP_MAX})
@State(Scope.Benchmark)
public class W2GetBenchmark extends KvWorkload {

    @Setup(Level.Trial)
    public void setUp() {
        setUpPreloaded();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        verifyThenCleanUp(0, "after the measured gets");
    }

    @Benchmark
    @Threads(1)
    public byte[] get(Cursor c) {
        return kv.get(keys[index(c.next(), keyCount)]);
    }

    @Benchmark
    @Threads(2)
    public byte[] get2Threads(Cursor c) {
        return kv.get(keys[index(c.next(), keyCount)]);
    }

    @Benchmark
    @Threads(1)
    public byte[] getMiss90(Cursor c) {
        long r = c.next();
        if (index(r, 10) != 0) {
            return kv.get(absentKeys[(int) r & (MISS_POOL - 1)]);
        }
        return kv.get(keys[index(r << 16 | r >>> 48, keyCount)]);
    }
}
