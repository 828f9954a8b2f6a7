package io.mapcask.jmh;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskOptions;
import io.mapcask.MapcaskStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many records one group-commit force covers: N writer threads put 100-byte values under
 * {@code sync.mode=group} (or another mode named by the second argument) for 2 s of warmup and 5 s measured, and the store's own counters
 * ({@link MapcaskStats}) give puts/s, forces/s and records per force. Not a JMH benchmark: it
 * explains the {@code ConcurrencyBenchmark} numbers in docs/benchmarks.md.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp jmh/target/benchmarks.jar
 * io.mapcask.jmh.GroupCommitProbe 16 [group|always]}
 */
public final class GroupCommitProbe {
    private GroupCommitProbe() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        MapcaskOptions.SyncMode mode = args.length > 1
                ? MapcaskOptions.SyncMode.valueOf(args[1].toUpperCase(java.util.Locale.ROOT)) : MapcaskOptions.SyncMode.GROUP;
        Path dir = Files.createTempDirectory("mapcask-group-probe");
        try (Mapcask db = Mapcask.open(dir, MapcaskOptions.builder().syncMode(mode)
                .compactionBackground(false).build())) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread[] writers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                writers[t] = Thread.ofPlatform().start(() -> {
                    byte[] value = new byte[100];
                    for (long i = 0; !stop.get(); i++) {
                        db.put(("k" + id + "-" + (i % 1000)).getBytes(StandardCharsets.UTF_8), value);
                    }
                });
            }
            Thread.sleep(2000);
            MapcaskStats before = db.stats();
            long start = System.nanoTime();
            Thread.sleep(5000);
            MapcaskStats after = db.stats();
            double seconds = (System.nanoTime() - start) / 1e9;
            stop.set(true);
            for (Thread w : writers) {
                w.join();
            }
            long puts = after.puts() - before.puts();
            long forces = after.forces() - before.forces();
            System.out.printf("%s, %d writers: %.0f puts/s, %.0f forces/s, %.2f records a force, force p50 %d us%n",
                    mode, threads, puts / seconds, forces / seconds, (double) puts / forces, after.forceP50Nanos() / 1000);
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
