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
 * W5: reopen after a clean close, time to the first {@code get} ({@link Mode#SingleShotTime},
 * milliseconds; each iteration is one reopen).
 *
 * <p>The trial setup preloads {@code keyCount} keys, syncs and closes the store. Each measured
 * call opens it again and reads one random present key (which must come back with the right
 * value); the iteration's teardown verifies a sample of 1,000 present and 100 absent keys and
 * closes the store, outside the timing. The files are in the OS page cache (written moments
 * before, and the box is not ours to drop caches on), so this is a warm restart: what is
 * measured is the engine's own work to become readable (Mapcask: read the manifest and the hint
 * files, rebuild the keydir; LSM: open the manifest, replay the WAL; B-trees and Chronicle: map
 * the file and check the header). Mapcask's clean close writes the keydir checkpoint, which this
 * reopen loads; {@link W5KillReopenBenchmark} measures the reopen without it. The heap map is
 * left out (nothing to reopen).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {KvWorkload.NATIVE_ACCESS, KvWorkload.UNSAFE_ALLOW, KvWorkload.HEAP_MIN, KvWorkload.HEAP_MAX})
@State(Scope.Benchmark)
public class W5ReopenBenchmark extends KvWorkload {
    private int probe;

    @Setup(Level.Trial)
    public void setUp() {
        try {
            prepare();
            open(KvEngine.Durability.NONE);
            preload();
            verify(0, "after the preload");
            kv.sync();
            kv.close();
        } catch (RuntimeException | Error e) {
            cleanUpAfter(e); // JMH runs no teardown after a failed setup
            throw e;
        }
    }

    @Setup(Level.Iteration)
    public void pickProbe() {
        probe = (probe * 31 + 7919) % keyCount;
    }

    @TearDown(Level.Iteration)
    public void checkAndClose() {
        verify(0, "after the reopen", 1_000, 100);
        kv.close();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cleanUp();
    }

    @Benchmark
    public byte[] reopen() {
        open(KvEngine.Durability.NONE);
        byte[] v = kv.get(keys[probe]);
        if (v == null || !java.util.Arrays.equals(v, values[probe & (VALUE_POOL - 1)])) {
            throw new IllegalStateException("engine '" + engine + "' is broken: key #" + probe
                    + " wrong or missing after the reopen; refusing to report a number");
        }
        return v;
    }
}
