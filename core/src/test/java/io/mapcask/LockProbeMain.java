package io.mapcask;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Child process of {@link LockTest}. Usage:
 * <ul>
 *   <li>{@code probe <dir> <key>}: opens the store; prints {@code LOCKED <lock file>} and exits
 *       with {@value #EXIT_LOCKED} when it is held, else prints {@code VALUE <hex>} (or {@code
 *       ABSENT}) of {@code key}, closes it and exits 0.
 *   <li>{@code hold <dir> <key> <hex value>}: opens the store, puts and syncs the value, prints
 *       {@code HELD}, and closes the store when a line (or the end) arrives on stdin.
 * </ul>
 * Any other failure: stack trace on stderr, exit 1.
 */
public final class LockProbeMain {
    static final int EXIT_LOCKED = 3;

    private LockProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        byte[] key = args[2].getBytes(StandardCharsets.UTF_8);
        switch (args[0]) {
            case "probe" -> {
                Mapcask db;
                try {
                    db = Mapcask.open(dir);
                } catch (MapcaskLockedException e) {
                    System.out.println("LOCKED " + e.lockFile());
                    System.out.println(e.getMessage());
                    System.exit(EXIT_LOCKED);
                    return;
                }
                try (db) {
                    byte[] v = db.get(key);
                    System.out.println(v == null ? "ABSENT" : "VALUE " + HexFormat.of().formatHex(v));
                }
            }
            case "hold" -> {
                try (Mapcask db = Mapcask.open(dir)) {
                    db.put(key, HexFormat.of().parseHex(args[3]));
                    db.sync();
                    System.out.println("HELD");
                    System.out.flush();
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                }
                System.out.println("RELEASED");
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
