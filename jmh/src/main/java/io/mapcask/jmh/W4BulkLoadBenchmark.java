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
 * W4: bulk load of {@code keyCount} keys into a fresh, empty store through each engine's batch
 * path, timed to the end of the final sync ({@link Mode#SingleShotTime}, milliseconds; each
 * iteration is one whole load into a store of its own).
 *
 * <p>The measured call writes keys {@code 0..keyCount-1} in index order (the keys' scrambled
 * prefixes make that a random order for sorted engines), {@value #BATCH} keys a batch through
 * {@link KvEngine#putBatch} (Mapcask: a {@code WriteBatch} and {@code write(batch)}; RocksDB: a
 * {@code WriteBatch} and {@code write}; LMDB: one write transaction a batch; the others a loop of
 * puts), in each engine's no-sync mode ({@link KvEngine.Durability#NONE}), then calls {@link
 * KvEngine#syncWrites()}: when it returns every key is durable (Mapcask {@code sync()}; RocksDB
 * the WAL forced, memtable not flushed; LMDB {@code mdb_env_sync}; MapDB {@code commit()};
 * MVStore {@code commit()} + {@code sync()}). Chronicle Map cannot force its file and the heap
 * map has none: their times are of the writes alone.
 *
 * <p>Not timed: opening the empty store (iteration setup) and, in the iteration teardown,
 * verifying the key sample exactly (every key holds the value written), closing the store and
 * deleting its directory.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {KvWorkload.NATIVE_ACCESS, KvWorkload.UNSAFE_ALLOW, KvWorkload.HEAP_MIN, KvWorkload.HEAP_MAX})
@State(Scope.Benchmark)
public class W4BulkLoadBenchmark extends KvWorkload {
    /** Keys per batch. */
    static final int BATCH = 1_000;

    /** {@code loadValues[i]} is key {@code i}'s value (a pool value), as the batch API wants it. */
    private byte[][] loadValues;

    @Setup(Level.Trial)
    public void setUp() {
        prepare();
        loadValues = new byte[keyCount][];
        for (int i = 0; i < keyCount; i++) {
            loadValues[i] = values[i & (VALUE_POOL - 1)];
        }
    }

    @Setup(Level.Iteration)
    public void openEmpty() {
        try {
            open(KvEngine.Durability.NONE);
        } catch (RuntimeException | Error e) {
            cleanUpAfter(e); // JMH runs no teardown after a failed setup
            throw e;
        }
    }

    @TearDown(Level.Iteration)
    public void checkAndDrop() {
        try {
            verify(0, "after the bulk load");
        } finally {
            kv.close();
            deleteRecursively(storeDir);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cleanUp();
    }

    @Benchmark
    public void load() {
        for (int from = 0; from < keyCount; from += BATCH) {
            kv.putBatch(keys, loadValues, from, Math.min(from + BATCH, keyCount));
        }
        kv.syncWrites();
    }
}
