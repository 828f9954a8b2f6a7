package io.mapcask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Times reopening a store of many keys, for the instant-restart numbers of docs/operations.md
 * (not a test; run by hand with the test classpath):
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp core/target/classes:core/target/test-classes:mmap/target/classes:agrona.jar \
 *     io.mapcask.ReopenTimingMain &lt;dir&gt; &lt;keys&gt; &lt;reopens&gt; clean|hints|kill
 * </pre>
 *
 * Writes {@code keys} keys of 16 bytes with 100-byte values (in batches of 1,000) into a new
 * store under {@code dir} and closes it (the close, which writes the keydir checkpoint, is timed
 * on its own), then reopens it {@code reopens} times and prints the time of each open plus the
 * first {@code get} (closing is not timed). {@code clean}: each reopen follows a clean close.
 * {@code hints}: the same with {@code mapcask.keydir.checkpoint=false}, so every reopen loads the
 * hint files. {@code kill}: before each timed open the store is opened, 1,000 keys are
 * overwritten and synced, and the instance is dropped as a killed process would drop it (no
 * close, no checkpoint), so the timed open finds the checkpoint of the last clean close plus
 * segments newer than it.
 */
public final class ReopenTimingMain {
    private static final int VALUE_SIZE = 100;

    private ReopenTimingMain() {
    }

    public static void main(String[] args) throws IOException {
        Path base = Path.of(args[0]);
        int keys = Integer.parseInt(args[1]);
        int reopens = Integer.parseInt(args[2]);
        String mode = args[3];
        if (!Arrays.asList("clean", "hints", "kill").contains(mode)) {
            throw new IllegalArgumentException("mode must be clean, hints or kill: " + mode);
        }
        Files.createDirectories(base);
        Path dir = Files.createTempDirectory(base, "reopen-");
        MapcaskOptions options = MapcaskOptions.builder().compactionBackground(false)
                .keydirCheckpoint(!mode.equals("hints")).build();
        byte[] value = new byte[VALUE_SIZE];
        long start = System.nanoTime();
        Mapcask writer = Mapcask.open(dir, options);
        for (int i = 0; i < keys; i += 1_000) {
            WriteBatch batch = new WriteBatch();
            for (int j = i; j < Math.min(keys, i + 1_000); j++) {
                value[0] = (byte) j;
                batch.put(key(j), value);
            }
            writer.write(batch);
        }
        writer.sync();
        long closing = System.nanoTime();
        writer.close();
        long closed = System.nanoTime();
        System.out.printf("%s: wrote %,d keys in %.0f ms, closed in %.0f ms%n", mode, keys, (closing - start) / 1e6,
                (closed - closing) / 1e6);
        for (int r = 0; r < reopens; r++) {
            if (mode.equals("kill")) {
                Mapcask db = Mapcask.open(dir, options);
                for (int j = 0; j < 1_000; j++) {
                    db.put(key((j * 7919L + r) % keys), value);
                }
                db.sync();
                db.abandon();
            }
            long t0 = System.nanoTime();
            Mapcask db = Mapcask.open(dir, options);
            byte[] v = db.get(key(r % keys));
            long t1 = System.nanoTime();
            if (v == null || v.length != VALUE_SIZE) {
                throw new IllegalStateException("key " + (r % keys) + " is wrong after the reopen");
            }
            System.out.printf("%s: reopen %d of %,d keys: %.1f ms%n", mode, r + 1, db.size(), (t1 - t0) / 1e6);
            db.close();
        }
        deleteRecursively(dir);
    }

    static byte[] key(long i) {
        byte[] k = new byte[16];
        long h = i * 0x9E3779B97F4A7C15L;
        for (int b = 0; b < 8; b++) {
            k[b] = (byte) (h >>> (8 * b));
            k[8 + b] = (byte) (i >>> (8 * b));
        }
        return k;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
