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
 * W3: {@code put} durable on each write, one thread, latency distribution ({@link
 * Mode#SampleTime}: mean, p50, p99, p99.9 in microseconds; ops/s = 1 / mean).
 *
 * <p>Each call overwrites a uniformly random preloaded key and returns only once the write is
 * durable: Mapcask {@code sync.mode=always}; RocksDB {@code WriteOptions.sync=true}; LMDB
 * without {@code MDB_NOSYNC}; MapDB with transactions and {@code commit()} per put; MVStore
 * {@code commit()} + {@code sync()} per put ({@link KvEngine.Durability#EACH_WRITE}). Chronicle
 * Map (no way to force a write) and the heap map are left out.
 *
 * <p>The preload runs in the no-sync mode (an fsync per preloaded key would take hours); the
 * store is then synced, closed and reopened in the durable mode, and verified. Not yet measured:
 * Mapcask's group commit ({@code sync.mode=group} at 1, 4 and 16 threads), which comes with a
 * later issue.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {KvWorkload.NATIVE_ACCESS, KvWorkload.UNSAFE_ALLOW, KvWorkload.HEAP_MIN, KvWorkload.HEAP_MAX})
@State(Scope.Benchmark)
public class W3DurablePutBenchmark extends KvWorkload {

    @Setup(Level.Trial)
    public void setUp() {
        try {
            prepare();
            open(KvEngine.Durability.NONE);
            preload();
            kv.sync();
            kv.close();
            open(KvEngine.Durability.EACH_WRITE);
            verify(0, "after the preload and a reopen in the durable mode");
        } catch (RuntimeException | Error e) {
            cleanUpAfter(e); // JMH runs no teardown after a failed setup
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        verifyThenCleanUp(-1, "after the measured durable puts");
    }

    @Benchmark
    public void put(Cursor c) {
        long r = c.next();
        kv.put(keys[index(r, keyCount)], values[(int) r & (VALUE_POOL - 1)]);
    }
}
