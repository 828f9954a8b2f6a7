package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The corruption campaign behind {@link CorruptionTest}: seeded bit flips and truncations in every kind of store file (DESIGN §7.5, CRASH-TESTING §7):
 * each must give a clear {@link MapcaskException} or a store whose every key reads as its
 * committed value (or, for writes after the last sync, an older value), and a failed open must
 * have deleted and truncated nothing. Never another exception, never wrong bytes.
 */
final class CorruptionCampaign {
    private static final int KEYS = 40;
    private static final MapcaskOptions OPTIONS = MapcaskOptions.builder().segmentSize(16 << 10).compactionBackground(false).build();

    private final Path root;
    /** A cleanly closed store: sealed segments with hints, after a compaction and more writes. */
    private final Path closedStore;
    /** An abandoned store: synced writes below the durable mark, unsynced ones above it. */
    private final Path abandonedStore;
    /** key → allowed values (null = absent); the first is the committed one. */
    private final Map<Path, Map<Integer, List<String>>> allowed = new HashMap<>();

    static byte[] key(int k) {
        return ("key-" + k).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] value(int k, int version) {
        byte[] head = ("key-" + k + ":" + version + ":").getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[head.length + (k * 37 + version * 11) % 500];
        System.arraycopy(head, 0, v, 0, head.length);
        return v;
    }

    /** Builds the two pristine stores under {@code root}. */
    CorruptionCampaign(Path root) throws IOException {
        this.root = root;
        closedStore = root.resolve("closed");
        Map<Integer, List<String>> closedAllowed = new TreeMap<>();
        try (Mapcask db = Mapcask.open(closedStore, OPTIONS)) {
            write(db, 0, 3, closedAllowed);
            db.compact();
            write(db, 3, 5, closedAllowed);
        }
        allowed.put(closedStore, closedAllowed);

        abandonedStore = root.resolve("abandoned");
        Map<Integer, List<String>> abandonedAllowed = new TreeMap<>();
        Mapcask db = Mapcask.open(abandonedStore, OPTIONS);
        write(db, 0, 2, abandonedAllowed);
        // A fresh active segment holding synced records (below its durable mark), then unsynced ones.
        db.storeForTest().rotateForTest();
        for (int k = 0; k < 10; k++) {
            db.put(key(k), value(k, 8));
            abandonedAllowed.put(k, new ArrayList<>(List.of("key-" + k + ":8")));
        }
        db.sync();
        // Unsynced: each key may read as its synced value or this newer one.
        for (int k = 0; k < 10; k += 3) {
            db.put(key(k), value(k, 9));
            abandonedAllowed.get(k).add("key-" + k + ":9");
        }
        db.abandon();
        allowed.put(abandonedStore, abandonedAllowed);
    }

    /** Rounds of puts and deletes; allowed.get(k).get(0) tracks the committed value. */
    private static void write(Mapcask db, int fromRound, int toRound, Map<Integer, List<String>> allowed) {
        for (int round = fromRound; round < toRound; round++) {
            for (int k = 0; k < KEYS; k++) {
                List<String> a = new ArrayList<>();
                if ((k + round) % 7 == 0) {
                    db.delete(key(k));
                    a.add(null);
                } else {
                    db.put(key(k), value(k, round));
                    a.add("key-" + k + ":" + round);
                }
                allowed.put(k, a);
            }
        }
    }

    /**
     * Applies {@code runs} seeded mutations, each to a fresh copy of a pristine store.
     *
     * @return a summary of the outcomes
     * @throws AssertionError on the first wrong value, non-Mapcask exception or changing failed open
     */
    String run(int runs, long seed) throws IOException {
        Random rnd = new Random(seed);
        int reportedAtOpen = 0;
        int reportedAtGet = 0;
        int survived = 0;
        Map<String, Integer> byFile = new TreeMap<>();
        for (int run = 0; run < runs; run++) {
            Path pristine = rnd.nextBoolean() ? closedStore : abandonedStore;
            Path work = root.resolve("work-" + seed + "-" + run);
            copy(pristine, work);
            String mutation = mutate(work, rnd);
            byFile.merge(mutation.substring(0, mutation.indexOf(' ')), 1, Integer::sum);
            String where = "run " + run + ", seed " + seed + ", " + pristine.getFileName() + ", " + mutation;
            Map<String, Long> before = listing(work);
            Mapcask db;
            try {
                db = Mapcask.open(work, OPTIONS);
            } catch (MapcaskException e) {
                assertEquals(before, listing(work), "a failed open changed files (" + where + "): " + e);
                reportedAtOpen++;
                deleteTree(work);
                continue;
            } catch (RuntimeException | Error e) {
                throw new AssertionError("open threw " + e + " instead of a MapcaskException (" + where + ")", e);
            }
            boolean reported = false;
            try (db) {
                for (Map.Entry<Integer, List<String>> e : allowed.get(pristine).entrySet()) {
                    int k = e.getKey();
                    byte[] v;
                    try {
                        v = db.get(key(k));
                    } catch (MapcaskCorruptionException ex) {
                        reported = true;
                        continue;
                    } catch (RuntimeException | Error ex) {
                        throw new AssertionError("get threw " + ex + " (" + where + ")", ex);
                    }
                    String got = v == null ? null : identify(v, k, where);
                    if (!e.getValue().contains(got)) {
                        fail("key-" + k + " reads " + got + ", allowed " + e.getValue() + " (" + where + ")");
                    }
                }
            } catch (MapcaskException closeFailure) {
                reported = true;
            }
            if (reported) {
                reportedAtGet++;
            } else {
                survived++;
            }
            deleteTree(work);
        }
        assertTrue(reportedAtOpen > 0 && survived > 0, "the mutations should exercise both outcomes");
        return String.format("%d mutations (%s): %d reported at open, %d reported by get, %d recovered "
                + "with committed data; 0 wrong values", runs, byFile, reportedAtOpen, reportedAtGet, survived);
    }

    /** Flips one bit (half the time in the first 512 bytes) or truncates one store file. */
    private static String mutate(Path store, Random rnd) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(store)) {
            s.filter(p -> !p.getFileName().toString().equals("LOCK")).sorted().forEach(files::add);
        }
        Path f = files.get(rnd.nextInt(files.size()));
        long size = Files.size(f);
        String name = f.getFileName().toString();
        String kind = name.startsWith("MANIFEST") ? "manifest" : name.endsWith(".hint") ? "hint"
                : name.endsWith(".data") ? "data" : name;
        if (size == 0) {
            return kind + " empty " + name;
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            if (rnd.nextInt(4) == 0) {
                long at = (long) (rnd.nextDouble() * size);
                raf.setLength(at);
                return kind + " truncated " + name + " to " + at + " of " + size;
            }
            long at = rnd.nextBoolean() ? rnd.nextInt((int) Math.min(512, size)) : (long) (rnd.nextDouble() * size);
            int bit = rnd.nextInt(8);
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ (1 << bit));
            return kind + " flipped bit " + bit + " at " + at + " of " + name;
        }
    }

    private static String identify(byte[] v, int k, String where) {
        String s = new String(v, StandardCharsets.ISO_8859_1);
        int second = s.indexOf(':', s.indexOf(':') + 1);
        if (second < 0 || !s.startsWith("key-" + k + ":")) {
            fail("key-" + k + " reads bytes no write of it produced (" + where + ")");
        }
        String id = s.substring(0, second);
        int version = Integer.parseInt(id.substring(id.indexOf(':') + 1));
        if (!java.util.Arrays.equals(v, value(k, version))) {
            fail("key-" + k + " reads damaged bytes of version " + version + " (" + where + ")");
        }
        return id;
    }

    private static Map<String, Long> listing(Path dir) throws IOException {
        Map<String, Long> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                m.put(p.getFileName().toString(), Files.size(p));
            }
        }
        return m;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }
}
