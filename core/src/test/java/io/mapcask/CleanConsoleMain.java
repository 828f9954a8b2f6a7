package io.mapcask;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Child process of {@link CleanConsoleTest}: the ordinary life of a store (put with rotation,
 * get, delete, sync, close, reopen, a crash and its recovery) with nothing printed when all
 * goes well. Exits 2 (with a line on stdout) when a value is wrong.
 */
public final class CleanConsoleMain {
    private CleanConsoleMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        MapcaskOptions small = MapcaskOptions.builder().segmentSize(64 << 10).build();
        int n = 2_000;
        try (Mapcask db = Mapcask.open(dir, small)) {
            for (int i = 0; i < n; i++) {
                db.put(key(i), value(i));
            }
            check(db, n, "after put");
            db.delete(key(0));
            db.sync();
        }
        try (Mapcask db = Mapcask.open(dir)) {
            check(db, n, "after reopen");
            db.put(key(0), value(0));
            db.sync();
            db.abandon();
        }
        try (Mapcask db = Mapcask.open(dir, small)) {
            check(db, n, "after recovery");
            expect(db.get(key(0)), value(0), "key 0 after recovery");
        }
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        return ("value-" + i + "-" + "x".repeat(i % 300)).getBytes(StandardCharsets.UTF_8);
    }

    private static void check(Mapcask db, int n, String when) {
        for (int i = 1; i < n; i++) {
            expect(db.get(key(i)), value(i), "key " + i + " " + when);
        }
    }

    private static void expect(byte[] actual, byte[] expected, String what) {
        if (!Arrays.equals(actual, expected)) {
            System.out.println("wrong value for " + what);
            System.exit(2);
        }
    }
}
