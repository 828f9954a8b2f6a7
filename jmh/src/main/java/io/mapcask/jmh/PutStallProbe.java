package io.mapcask.jmh;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How long single puts stall while segments roll and background compaction runs: one thread
 * preloads N keys of 16 B with 100-byte values, then overwrites random keys M times under the
 * default options (sync.mode=none, background compaction on) and times every put. Prints puts/s,
 * the latency percentiles, the slowest put and how many took over 1 ms and 10 ms. Not a JMH
 * benchmark (JMH reports means, not the stalls): it backs the "writes never stall" figures in
 * docs/benchmarks.md.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -Xmx4g -cp jmh/target/benchmarks.jar
 * io.mapcask.jmh.PutStallProbe [keys] [puts]} (defaults 1,000,000 and 8,000,000)
 */
public final class PutStallProbe {
    private PutStallProbe() {
    }

    public static void main(String[] args) throws IOException {
        int keyCount = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int puts = args.length > 1 ? Integer.parseInt(args[1]) : 8_000_000;
        SplittableRandom rnd = new SplittableRandom(1);
        byte[][] keys = new byte[keyCount][16];
        for (byte[] k : keys) {
            rnd.nextBytes(k);
        }
        byte[] value = new byte[100];
        Path dir = Files.createTempDirectory("mapcask-put-stall");
        try (Mapcask db = Mapcask.open(dir)) {
            for (byte[] k : keys) {
                db.put(k, value);
            }
            long[] nanos = new long[puts];
            long start = System.nanoTime();
            for (int i = 0; i < puts; i++) {
                long t = System.nanoTime();
                db.put(keys[rnd.nextInt(keyCount)], value);
                nanos[i] = System.nanoTime() - t;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long over1ms = Arrays.stream(nanos).filter(n -> n > 1_000_000).count();
            long over10ms = Arrays.stream(nanos).filter(n -> n > 10_000_000).count();
            Arrays.sort(nanos);
            MapcaskStats stats = db.stats();
            System.out.printf("%,.0f puts/s; p50 %,d ns, p99 %,d ns, p99.9 %,d ns, p99.99 %,d ns, max %.1f ms;"
                            + " %d puts over 1 ms, %d over 10 ms; %d segment rolls, %d compactions%n",
                    puts / seconds, nanos[puts / 2], nanos[(int) (puts * 0.99)], nanos[(int) (puts * 0.999)],
                    nanos[(int) (puts * 0.9999)], nanos[puts - 1] / 1e6, over1ms, over10ms, stats.segmentRolls(),
                    stats.compactions());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }
}
