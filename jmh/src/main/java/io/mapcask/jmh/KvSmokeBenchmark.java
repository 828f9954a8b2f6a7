package io.mapcask.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Smoke suite: single-thread throughput (ops/s) of one operation on a store preloaded with
 * {@code keyCount} distinct 16-byte keys, each holding a {@code valueSize}-byte value.
 *
 * <ul>
 *   <li>{@link #put}: overwrites a uniformly random existing key with another value of the
 *       same size. No sync ({@code sync.mode=none}); for Mapcask every call appends a record, so
 *       the measurement includes segment rotation (each full segment is forced, hinted and
 *       committed to the manifest when it is sealed) and the page faults of fresh segments.
 *       Nothing is compacted, so the store grows by about {@code 24 + 16 + valueSize} bytes
 *       (8-aligned) a call.
 *   <li>{@link #get}: reads a uniformly random present key; the returned copy is consumed by
 *       JMH. Mapcask verifies each record's CRC32C on read (its default).
 * </ul>
 *
 * <p>Both engines pay the same per-call overhead: a xorshift draw and a lookup in a
 * preallocated {@code byte[][]} of keys. {@code engine=chm} is the in-memory ceiling ({@link
 * ConcurrentHashMapEngine}). The store lives in a fresh directory under {@code
 * -Dmapcask.bench.dir} (default {@code java.io.tmpdir}), deleted at teardown.
 *
 * <p>A run cannot post a number for a broken engine: setup ends by reading back a sample of
 * keys (present, with the exact value written) and of never-written keys (absent), and teardown
 * checks the sample again after the measured operations; either throws on the first mismatch.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        // JMH 1.37 itself calls sun.misc.Unsafe; keep the fork's console clean on JDK 24+.
        "--sun-misc-unsafe-memory-access=allow",
        "-Xms4g", "-Xmx4g"})
@State(Scope.Benchmark)
public class KvSmokeBenchmark {
    static final int KEY_SIZE = 16;
    /** Distinct values written; a key's value is always one of them, which makes checks exact. */
    static final int VALUE_POOL = 16;
    static final int SAMPLE = 10_000;
    static final int ABSENT_SAMPLE = 1_000;

    @Param({"mapcask", "chm"})
    public String engine;

    @Param({"100", "1000"})
    public int valueSize;

    @Param({"1000000"})
    public int keyCount;

    KvEngine kv;
    Path dir;
    byte[][] keys;
    byte[][] values;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (keyCount < 1) {
            throw new IllegalArgumentException("keyCount must be >= 1, was " + keyCount);
        }
        SplittableRandom rnd = new SplittableRandom(42);
        values = new byte[VALUE_POOL][valueSize];
        for (byte[] v : values) {
            rnd.nextBytes(v);
        }
        keys = new byte[keyCount][];
        for (int i = 0; i < keyCount; i++) {
            keys[i] = key(i);
        }
        Path base = Path.of(System.getProperty("mapcask.bench.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "mapcask-bench-");
        kv = KvEngine.create(engine);
        kv.open(dir.resolve("store"));
        long start = System.nanoTime();
        for (int i = 0; i < keyCount; i++) {
            kv.put(keys[i], values[i % VALUE_POOL]);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("# preloaded %,d keys (%s, %d B values) in %.2f s (%,.0f puts/s)%n",
                keyCount, engine, valueSize, seconds, keyCount / seconds);
        verify(true);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            if (kv != null) {
                verify(false);
            }
        } finally {
            try {
                if (kv != null) {
                    kv.close();
                }
            } finally {
                deleteRecursively(dir);
            }
        }
    }

    /** Random index into {@link #keys} plus a value choice; one per benchmark thread. */
    @State(Scope.Thread)
    public static class Cursor {
        long x;

        @Setup(Level.Trial)
        public void setUp() {
            x = 0x9E3779B97F4A7C15L ^ Thread.currentThread().threadId();
        }

        long next() {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            return x;
        }
    }

    @Benchmark
    public void put(Cursor c) {
        long r = c.next();
        kv.put(keys[index(r, keyCount)], values[(int) r & (VALUE_POOL - 1)]);
    }

    @Benchmark
    public byte[] get(Cursor c) {
        return kv.get(keys[index(c.next(), keyCount)]);
    }

    /** Multiply-shift range reduction of the high 32 bits: uniform over [0, n). */
    static int index(long r, int n) {
        return (int) (((r >>> 32) * n) >>> 32);
    }

    /**
     * The key of index {@code i}: 8 scrambled bytes (so keys do not share prefixes in order),
     * then {@code i} itself, which keeps keys distinct. Indexes at or past {@code keyCount} are
     * never written.
     */
    static byte[] key(long i) {
        byte[] k = new byte[KEY_SIZE];
        long h = mix(i);
        for (int b = 0; b < 8; b++) {
            k[b] = (byte) (h >>> (8 * b));
            k[8 + b] = (byte) (i >>> (8 * b));
        }
        return k;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Reads back a sample of present keys (first, last and random ones) and of absent keys.
     *
     * @param exact after the preload each key holds exactly {@code values[i % VALUE_POOL]}; after
     *     {@link #put} ran it holds any value of the pool
     */
    void verify(boolean exact) {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = Math.min(SAMPLE, keyCount);
        for (int s = 0; s < n; s++) {
            int i = s == 0 ? 0 : s == 1 ? keyCount - 1 : rnd.nextInt(keyCount);
            byte[] v = kv.get(keys[i]);
            if (v == null) {
                throw broken("key #" + i + " is missing");
            }
            if (v.length != valueSize) {
                throw broken("key #" + i + " has a value of " + v.length + " bytes, expected " + valueSize);
            }
            if (exact ? !Arrays.equals(v, values[i % VALUE_POOL]) : !inPool(v)) {
                throw broken("key #" + i + " has a value that was never written for it");
            }
        }
        for (int s = 0; s < ABSENT_SAMPLE; s++) {
            long i = keyCount + (long) rnd.nextInt(Integer.MAX_VALUE - keyCount);
            byte[] v = kv.get(key(i));
            if (v != null) {
                throw broken("never-written key #" + i + " is present with " + v.length + " bytes");
            }
        }
        System.out.printf("# verified %,d present and %,d absent keys (%s)%n", n, ABSENT_SAMPLE,
                exact ? "after preload" : "after the measured operations");
    }

    private boolean inPool(byte[] v) {
        for (byte[] p : values) {
            if (Arrays.equals(v, p)) {
                return true;
            }
        }
        return false;
    }

    private IllegalStateException broken(String what) {
        return new IllegalStateException("engine '" + engine + "' is broken (keyCount=" + keyCount
                + ", valueSize=" + valueSize + "): " + what + "; refusing to report a number");
    }

    static void deleteRecursively(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
