package io.mapcask;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link KillNineTest}: writes, deletes, syncs and compacts in a loop until
 * it is killed, announcing each write on stdout <em>before</em> it reaches the engine
 * ({@code W <op> <key> <put|del>}) and each completed sync <em>after</em> it returned
 * ({@code S <op>}: every write up to that op is acknowledged-durable).
 */
public final class KillChild {
    private KillChild() {
    }

    static byte[] key(int k) {
        return ("key-" + k).getBytes(StandardCharsets.UTF_8);
    }

    /** A value that names the key and op that wrote it, padded to a seeded length. */
    static byte[] value(int k, long op, Random rnd) {
        byte[] head = ("key-" + k + ":" + op + ":").getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[head.length + rnd.nextInt(600)];
        System.arraycopy(head, 0, v, 0, head.length);
        return v;
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        long firstOp = Long.parseLong(args[2]);
        int keys = Integer.parseInt(args[3]);
        Random rnd = new Random(seed);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(256 << 10).build();
        try (Mapcask db = Mapcask.open(dir, options)) {
            out.println("OPEN");
            for (long op = firstOp; ; op++) {
                int k = rnd.nextInt(keys);
                int dice = rnd.nextInt(1000);
                if (dice < 150) {
                    out.println("W " + op + " " + k + " del");
                    db.delete(key(k));
                } else if (dice < 250) {
                    db.sync();
                    out.println("S " + op);
                } else if (dice < 253) {
                    db.compact();
                } else {
                    out.println("W " + op + " " + k + " put");
                    db.put(key(k), value(k, op, rnd));
                }
            }
        }
    }
}
