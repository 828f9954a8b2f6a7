package io.mapcask.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.State;

/**
 * What every workload (W1..W6) shares: the parameters, the keys and values, the store directory,
 * the preload, and the check that keeps a broken engine from posting a number.
 *
 * <ul>
 *   <li>Keys: {@code keyCount} distinct 16-byte keys, 8 scrambled bytes then the index (so they
 *       share no prefix in index order and sorted engines insert in random order). Indexes at or
 *       past {@code keyCount} are never written: they are the absent keys.
 *   <li>Values: a pool of {@value #VALUE_POOL} random values of {@code valueSize} bytes; the first
 *       two bytes of each hold its pool index, so any value read back can be checked exactly
 *       against the pool. Random bytes do not compress, and with 1,024 of them a compressor finds
 *       no repeats within a block.
 *   <li>Preload (not measured): key {@code i} gets value {@code i % VALUE_POOL}, in index order.
 *   <li>The store lives in a fresh directory under {@code -Dmapcask.bench.dir} (default {@code
 *       java.io.tmpdir}), deleted at teardown.
 *   <li>Guard: {@link #verify} reads back {@value #SAMPLE} present keys (first, last, random: the
 *       value must be the pool value written, or after random overwrites some pool value with
 *       the right length) and {@value #ABSENT_SAMPLE} never-written keys (must be absent), and
 *       throws on the first mismatch. Each workload runs it after its setup and at its teardown
 *       (W4 after each load, W5 after each reopen); the trial then fails and posts no number,
 *       and {@link BenchMain} lists it as failed with the exception's message.
 * </ul>
 *
 * <p>Per-call overhead, the same for every engine: a xorshift draw ({@link Cursor}) and a lookup
 * in the preallocated {@code byte[][]} of keys.
 */
@State(Scope.Benchmark)
public abstract class KvWorkload {
    static final int KEY_SIZE = 16;
    /** Distinct values; a power of two, at most 65,536 (the index is stored in two bytes). */
    static final int VALUE_POOL = 1024;
    static final int SAMPLE = 10_000;
    static final int ABSENT_SAMPLE = 1_000;
    /** Absent keys the miss-heavy get draws from (a power of two). */
    static final int MISS_POOL = 1 << 16;

    /** Flags of every benchmark fork; {@link BenchMain} adds each engine's own after them. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** JMH 1.37 itself calls {@code sun.misc.Unsafe}; keep the forks' consoles clean on JDK 24+. */
    static final String UNSAFE_ALLOW = "--sun-misc-unsafe-memory-access=allow";
    static final String HEAP_MIN = "-Xms4g";
    static final String HEAP_MAX = "-Xmx4g";

    @Param({"mapcask", "rocksdb", "lmdb", "chronicle", "mapdb", "mvstore", "chm"})
    public String engine;

    @Param({"100", "1000"})
    public int valueSize;

    @Param({"1000000"})
    public int keyCount;

    KvEngine kv;
    Path dir;
    Path storeDir;
    byte[][] keys;
    byte[][] values;
    byte[][] absentKeys;

    /** Keys, values and a fresh directory; no engine yet. */
    void prepare() {
        if (keyCount < 1) {
            throw new IllegalArgumentException("keyCount must be >= 1, was " + keyCount);
        }
        if (valueSize < 2) {
            throw new IllegalArgumentException("valueSize must be >= 2 (the pool index is stored in the value), was " + valueSize);
        }
        SplittableRandom rnd = new SplittableRandom(42);
        values = new byte[VALUE_POOL][valueSize];
        for (int p = 0; p < VALUE_POOL; p++) {
            rnd.nextBytes(values[p]);
            values[p][0] = (byte) p;
            values[p][1] = (byte) (p >>> 8);
        }
        keys = new byte[keyCount][];
        for (int i = 0; i < keyCount; i++) {
            keys[i] = key(i);
        }
        absentKeys = new byte[MISS_POOL][];
        for (int j = 0; j < MISS_POOL; j++) {
            absentKeys[j] = key((long) keyCount + 1 + j);
        }
        try {
            Path base = Path.of(System.getProperty("mapcask.bench.dir", System.getProperty("java.io.tmpdir")));
            Files.createDirectories(base);
            dir = Files.createTempDirectory(base, "mapcask-bench-" + engine + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        storeDir = dir.resolve("store");
        kv = KvEngine.create(engine);
    }

    void open(KvEngine.Durability durability) {
        kv.open(storeDir, durability, valueSize, keyCount);
    }

    /** Writes every key once ({@code i -> values[i % VALUE_POOL]}) and prints the rate. */
    void preload() {
        long start = System.nanoTime();
        for (int i = 0; i < keyCount; i++) {
            kv.put(keys[i], values[i & (VALUE_POOL - 1)]);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("# preloaded %,d keys (%s, %d B values) in %.2f s (%,.0f puts/s)%n",
                keyCount, engine, valueSize, seconds, keyCount / seconds);
    }

    /** Closes the engine (if open) and deletes the directory. */
    void cleanUp() {
        try {
            if (kv != null) {
                kv.close();
            }
        } finally {
            kv = null;
            deleteRecursively(dir);
        }
    }

    /**
     * The trial setup of the no-sync workloads (W1, W2): a fresh store, preloaded and checked;
     * cleaned up when it fails, since JMH runs no teardown after a failed setup.
     */
    void setUpPreloaded() {
        try {
            prepare();
            open(KvEngine.Durability.NONE);
            preload();
            verify(0, "after the preload");
        } catch (RuntimeException | Error e) {
            cleanUpAfter(e);
            throw e;
        }
    }

    /** The trial teardown of the measuring workloads: the key sample once more, then {@link #cleanUp()}. */
    void verifyThenCleanUp(int shift, String when) {
        try {
            if (kv != null) {
                verify(shift, when);
            }
        } finally {
            cleanUp();
        }
    }

    /** {@link #cleanUp()} after a failed setup; a failure of its own is attached to {@code cause}. */
    void cleanUpAfter(Throwable cause) {
        try {
            cleanUp();
        } catch (RuntimeException | Error e) {
            cause.addSuppressed(e);
        }
    }

    /** Random index and value choice; one per benchmark thread. */
    @State(Scope.Thread)
    public static class Cursor {
        long x;

        @Setup(Level.Trial)
        public void setUp() {
            x = 0x9E3779B97F4A7C15L ^ (Thread.currentThread().threadId() * 0xBF58476D1CE4E5B9L);
            if (x == 0) {
                x = 1;
            }
        }

        long next() {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            return x;
        }
    }

    /** Multiply-shift range reduction of the high 32 bits: uniform over [0, n). */
    static int index(long r, int n) {
        return (int) (((r >>> 32) * n) >>> 32);
    }

    /** The key of index {@code i}; see the class comment. */
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
     * Reads back a sample of present keys and of never-written keys.
     *
     * @param shift {@code >= 0}: key {@code i} must hold exactly pool value {@code (i + shift) %
     *     VALUE_POOL}; negative: any pool value (after random overwrites)
     * @param when for the message
     */
    void verify(int shift, String when) {
        verify(shift, when, SAMPLE, ABSENT_SAMPLE);
    }

    void verify(int shift, String when, int sample, int absentSample) {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = Math.min(sample, keyCount);
        for (int s = 0; s < n; s++) {
            int i = s == 0 ? 0 : s == 1 ? keyCount - 1 : rnd.nextInt(keyCount);
            byte[] v = kv.get(keys[i]);
            if (v == null) {
                throw broken("key #" + i + " is missing " + when);
            }
            if (v.length != valueSize) {
                throw broken("key #" + i + " has a value of " + v.length + " bytes " + when + ", expected " + valueSize);
            }
            int p = (v[0] & 0xFF) | (v[1] & 0xFF) << 8;
            if (p >= VALUE_POOL || !Arrays.equals(v, values[p])) {
                throw broken("key #" + i + " has a value that was never written " + when);
            }
            if (shift >= 0 && p != ((i + shift) & (VALUE_POOL - 1))) {
                throw broken("key #" + i + " holds pool value " + p + " " + when + ", expected "
                        + ((i + shift) & (VALUE_POOL - 1)));
            }
        }
        for (int s = 0; s < absentSample; s++) {
            long i = keyCount + (long) rnd.nextInt(Integer.MAX_VALUE - keyCount);
            byte[] v = kv.get(key(i));
            if (v != null) {
                throw broken("never-written key #" + i + " is present with " + v.length + " bytes " + when);
            }
        }
        System.out.printf("# verified %,d present and %,d absent keys %s%n", n, absentSample, when);
    }

    private IllegalStateException broken(String what) {
        return new IllegalStateException("engine '" + engine + "' is broken (keyCount=" + keyCount
                + ", valueSize=" + valueSize + "): " + what + "; refusing to report a number");
    }

    /**
     * @return bytes the directory takes on disk (allocated blocks, {@code du -sB1}), or its
     *     files' apparent size when {@code du} is not there
     */
    static long diskBytes(Path dir) {
        try {
            Process p = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() == 0) {
                return Long.parseLong(out.split("\\s+")[0]);
            }
        } catch (IOException | NumberFormatException e) {
            // fall back below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return apparentBytes(dir);
    }

    /** @return the sum of the sizes of the files under {@code dir} */
    static long apparentBytes(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // a file deleted meanwhile (compaction)
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path root) {
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
