package io.mapcask.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Starts one engine in a JVM with exactly the flags its benchmark forks get, before any
 * benchmark runs ({@link BenchMain}): open in a temporary directory, write 1,000 keys (half by
 * {@code put}, half by {@code putBatch}) and read them back, check an absent key, close, reopen,
 * read again, close. Exit 0 and one line {@code probe
 * ok} when all went well; exit 1 and one line {@code probe failed: <cause>} otherwise, so that the
 * runner can say plainly why a peer is skipped.
 *
 * <p>Usage: {@code java <flags> -cp benchmarks.jar io.mapcask.jmh.EngineProbe ENGINE [DIR]}
 */
public final class EngineProbe {
    private EngineProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: EngineProbe ENGINE [DIR]");
            System.exit(2);
        }
        String name = args[0];
        Path base = Path.of(args.length > 1 ? args[1] : System.getProperty("java.io.tmpdir"));
        Files.createDirectories(base);
        Path dir = Files.createTempDirectory(base, "mapcask-probe-" + name + "-");
        int n = 1_000;
        int valueSize = 100;
        int status;
        try {
            KvEngine kv = KvEngine.create(name);
            kv.open(dir.resolve("store"), KvEngine.Durability.NONE, valueSize, n);
            byte[][] keys = new byte[n][];
            byte[][] values = new byte[n][];
            for (int i = 0; i < n; i++) {
                keys[i] = KvWorkload.key(i);
                values[i] = value(i, valueSize);
            }
            for (int i = 0; i < n / 2; i++) {
                kv.put(keys[i], values[i]);
            }
            kv.putBatch(keys, values, n / 2, n);
            check(kv, n, valueSize);
            kv.sync();
            kv.close();
            if (kv.persistent()) {
                kv.open(dir.resolve("store"), KvEngine.Durability.NONE, valueSize, n);
                check(kv, n, valueSize);
                kv.close();
            }
            System.out.println("probe ok: " + kv.version());
            status = 0;
        } catch (Throwable t) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String msg = root == t ? String.valueOf(t) : t + " (cause: " + root + ")";
            System.out.println("probe failed: " + msg.replace('\n', ' '));
            t.printStackTrace(System.out);
            status = 1;
        }
        try {
            KvWorkload.deleteRecursively(dir);
        } catch (RuntimeException e) {
            System.out.println("(could not delete " + dir + ": " + e + ")");
        }
        // Exit explicitly: an engine may have left non-daemon threads behind.
        System.exit(status);
    }

    private static byte[] value(int i, int size) {
        byte[] v = new byte[size];
        Arrays.fill(v, (byte) (i * 31));
        v[0] = (byte) i;
        v[1] = (byte) (i >>> 8);
        return v;
    }

    private static void check(KvEngine kv, int n, int valueSize) {
        for (int i = 0; i < n; i++) {
            byte[] v = kv.get(KvWorkload.key(i));
            if (v == null || !Arrays.equals(v, value(i, valueSize))) {
                throw new IllegalStateException("key #" + i + (v == null ? " is missing" : " has a wrong value"));
            }
        }
        if (kv.get(KvWorkload.key(n + 12_345)) != null) {
            throw new IllegalStateException("a never-written key is present");
        }
    }
}
