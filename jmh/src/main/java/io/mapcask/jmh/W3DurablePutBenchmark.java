package io.mapcask.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * W3: {@code put} durable on each write, from 1 ({@link #put}), 4 ({@link #put4Threads}) and 16
 * ({@link #put16Threads}) threads at once, latency distribution ({@link Mode#SampleTime}: mean,
 * p50, p99, p99.9 in microseconds of each call; ops/s = threads / mean, as every thread calls
 * back to back).
 *
 * <p>Each call overwrites a uniformly random preloaded key and returns only once the write is
 * durable ({@link KvEngine.Durability#EACH_WRITE}; see each engine's class comment): Mapcask in
 * the variant {@link #mapcaskSync} names; RocksDB {@code WriteOptions.sync=true} (concurrent
 * writers share a WAL {@code fdatasync}: RocksDB's own group commit); LMDB without {@code
 * MDB_NOSYNC} (LMDB lets one write transaction run at a time: writers queue, each forcing);
 * MapDB with transactions and {@code commit()} per put; MVStore {@code commit()} + {@code sync()}
 * per put (both serialize commits under their own lock). Chronicle Map (no way to force a write)
 * and the heap map are left out.
 *
 * <p>The preload runs in the no-sync mode (an fsync per preloaded key would take hours); the
 * store is then synced, closed and reopened in the durable mode, and verified. The teardown
 * verifies the key sample again (any pool value: threads overwrite the same keys in any order).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {KvWorkload.NATIVE_ACCESS, KvWorkload.UNSAFE_ALLOW, KvWorkload.HEAP_MIN, KvWorkload.HEAP_MAX})
@State(Scope.Benchmark)
public class W3DurablePutBenchmark extends KvWorkload {

    /**
     * How Mapcask makes each write durable, one of {@link MapcaskEngine#DURABLE_VARIANTS}:
     * {@code always}, {@code group}, {@code always+single-flush}, {@code group+single-flush}.
     * Means nothing to a peer: {@link BenchMain} passes {@code n/a} to the peers and expands it
     * for Mapcask alone (in a plain JMH run, give it with {@code -p engine=mapcask}).
     */
    @Param({MapcaskEngine.ALWAYS})
    public String mapcaskSync;

    @Setup(Level.Trial)
    public void setUp() {
        try {
            prepare();
            if (kv instanceof MapcaskEngine m) {
                m.durableVariant(mapcaskSync);
            }
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
    @Threads(1)
    public void put(Cursor c) {
        durablePut(c);
    }

    @Benchmark
    @Threads(4)
    public void put4Threads(Cursor c) {
        durablePut(c);
    }

    @Benchmark
    @Threads(16)
    public void put16Threads(Cursor c) {
        durablePut(c);
    }

    private void durablePut(Cursor c) {
        long r = c.next();
        kv.put(keys[index(r, keyCount)], values[(int) r & (VALUE_POOL - 1)]);
    }
}
