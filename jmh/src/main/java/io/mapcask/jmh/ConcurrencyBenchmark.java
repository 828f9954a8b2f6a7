package io.mapcask.jmh;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
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
 * Mapcask alone, under concurrency (the concurrency issue's benchmarks; no peer has both modes):
 *
 * <ul>
 *   <li>{@code durablePut*}: durable writes of 16-byte keys and 100-byte values from 1, 4, 16 and
 *       64 threads, {@code sync.mode=always} (each writer forces) against {@code group} (writers
 *       share forces). Every put has returned durable.
 *   <li>{@code getDuringCompaction*}: random gets of 100,000 present keys from 1 and 2 threads
 *       while another thread compacts the store over and over (retiring the segments the
 *       readers are in). Run with {@code syncMode=none} only.
 * </ul>
 *
 * A trial ends by checking a sample of keys (present, right length), so a broken engine posts
 * no number. Run: {@code java -jar jmh/target/benchmarks.jar ConcurrencyBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {KvWorkload.NATIVE_ACCESS, KvWorkload.UNSAFE_ALLOW})
@State(Scope.Benchmark)
public class ConcurrencyBenchmark {
    static final int KEYS = 100_000;
    static final int VALUE_SIZE = 100;

    @Param({"always", "group"})
    public String syncMode;

    /** {@code mapcask.sync.single.flush}: one device flush per force instead of two. */
    @Param({"false"})
    public boolean singleFlush;

    Path dir;
    Mapcask db;
    byte[][] keys;
    byte[] value;
    AtomicBoolean compacting;
    Thread compactor;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("mapcask-concurrency");
        keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = ByteBuffer.allocate(16).putLong(i).putLong(~(long) i).array();
        }
        value = new byte[VALUE_SIZE];
        db = Mapcask.open(dir, MapcaskOptions.builder().segmentSize(16 << 20).compactionBackground(false)
                .syncMode(MapcaskOptions.SyncMode.valueOf(syncMode.toUpperCase())).syncSingleFlush(singleFlush).build());
        io.mapcask.WriteBatch batch = new io.mapcask.WriteBatch();
        for (int i = 0; i < KEYS; i++) {
            batch.put(keys[i], value);
            if (batch.size() == 1000) {
                db.write(batch);
                batch.clear();
            }
        }
        db.sync();
    }

    /** Starts the compactor for the get benchmarks (a no-op for the put ones). */
    @Setup(Level.Iteration)
    public void startCompactor(org.openjdk.jmh.infra.BenchmarkParams params) {
        if (!params.getBenchmark().contains("getDuringCompaction")) {
            return;
        }
        compacting = new AtomicBoolean(true);
        compactor = Thread.ofPlatform().start(() -> {
            while (compacting.get()) {
                db.compact();
            }
        });
    }

    @TearDown(Level.Iteration)
    public void stopCompactor() throws InterruptedException {
        if (compactor != null) {
            compacting.set(false);
            compactor.join();
            compactor = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            for (int i = 0; i < KEYS; i += 97) {
                byte[] v = db.get(keys[i]);
                if (v == null || v.length != VALUE_SIZE) {
                    throw new IllegalStateException("key " + i + " is wrong after the run: " + (v == null ? "absent" : v.length));
                }
            }
        } finally {
            db.close();
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    /** One random stream per thread. */
    @State(Scope.Thread)
    public static class Cursor {
        final SplittableRandom rnd = new SplittableRandom(Thread.currentThread().threadId());

        int next() {
            return rnd.nextInt(KEYS);
        }
    }

    @Benchmark
    @Threads(1)
    public void durablePut1(Cursor c) {
        db.put(keys[c.next()], value);
    }

    @Benchmark
    @Threads(4)
    public void durablePut4(Cursor c) {
        db.put(keys[c.next()], value);
    }

    @Benchmark
    @Threads(16)
    public void durablePut16(Cursor c) {
        db.put(keys[c.next()], value);
    }

    @Benchmark
    @Threads(64)
    public void durablePut64(Cursor c) {
        db.put(keys[c.next()], value);
    }

    @Benchmark
    @Threads(1)
    public byte[] getDuringCompaction1(Cursor c) {
        return db.get(keys[c.next()]);
    }

    @Benchmark
    @Threads(2)
    public byte[] getDuringCompaction2(Cursor c) {
        return db.get(keys[c.next()]);
    }
}
