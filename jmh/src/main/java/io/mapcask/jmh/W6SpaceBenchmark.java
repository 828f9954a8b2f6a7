package io.mapcask.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * W6: disk bytes (space amplification) after the load, after overwriting every key once, and
 * after {@code compact()}, as JMH secondary metrics ({@link Space}, unit "#", bytes); the
 * primary score is the time of the measured part ({@link Mode#SingleShotTime}, seconds).
 *
 * <p>Trial setup: preload, {@code sync()} (so memtables and write buffers are on disk), measure
 * the directory ({@code du -sB1}: allocated blocks, preallocated space included). Measured call:
 * overwrite every key in index order with the next pool value, {@code sync()}, measure, {@code
 * compact()}, {@code sync()}, measure. Then every key must hold its new value (sample verified).
 * {@code liveBytes} is {@code keyCount * (16 + valueSize)}, the payload. Engines that cannot
 * compact (LMDB, Chronicle Map; see their class comments) still report their bytes. Run with one
 * iteration and no warmup. The heap map is left out.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {KvWorkload.NATIVE_ACCESS, KvWorkload.UNSAFE_ALLOW, KvWorkload.HEAP_MIN, KvWorkload.HEAP_MAX})
@State(Scope.Benchmark)
public class W6SpaceBenchmark extends KvWorkload {
    private long loadedBytes;
    private int round;

    /** The figures, bytes; reported by JMH as secondary metrics of the run. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Space {
        public long liveBytes;
        public long diskAfterLoad;
        public long diskAfterOverwrite;
        public long diskAfterCompact;

        @Setup(Level.Iteration)
        public void reset() {
            liveBytes = 0;
            diskAfterLoad = 0;
            diskAfterOverwrite = 0;
            diskAfterCompact = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        try {
            prepare();
            open(KvEngine.Durability.NONE);
            preload();
            verify(0, "after the preload");
            kv.sync();
            loadedBytes = diskBytes(storeDir);
            System.out.printf("# %s: %,d bytes on disk after the preload%n", engine, loadedBytes);
        } catch (RuntimeException | Error e) {
            cleanUpAfter(e); // JMH runs no teardown after a failed setup
            throw e;
        }
    }

    @TearDown(Level.Iteration)
    public void check() {
        verify(round, "after overwrite-all and compact");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cleanUp();
    }

    @Benchmark
    public void overwriteAllAndCompact(Space s) {
        round++;
        for (int i = 0; i < keyCount; i++) {
            kv.put(keys[i], values[(i + round) & (VALUE_POOL - 1)]);
        }
        kv.sync();
        long overwritten = diskBytes(storeDir);
        kv.compact();
        kv.sync();
        long compacted = diskBytes(storeDir);
        s.liveBytes = (long) keyCount * (KEY_SIZE + valueSize);
        s.diskAfterLoad = loadedBytes;
        s.diskAfterOverwrite = overwritten;
        s.diskAfterCompact = compacted;
        System.out.printf("# %s: %,d bytes after overwrite-all, %,d after compact (live %,d)%n",
                engine, overwritten, compacted, s.liveBytes);
    }
}
