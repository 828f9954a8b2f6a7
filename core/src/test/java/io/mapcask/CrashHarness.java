package io.mapcask;

import io.mapcask.mmap.CrashPolicy;
import io.mapcask.mmap.CrashState;
import io.mapcask.mmap.SimFs;
import io.mapcask.mmap.SimHook;
import io.mapcask.mmap.SimOp;
import io.mapcask.mmap.SimOpKind;
import io.mapcask.mmap.SimTrace;
import io.mapcask.mmap.SimulatedCrash;
import io.mapcask.mmap.TornPage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The crash-test machinery of CRASH-TESTING.md: a reference model (the oracle of §1), workloads
 * written as step lists, and the enumeration of §4: run a workload on a {@link SimFs}, crash it
 * before and after every state-changing op, open every crash image and check it against the
 * oracle, and crash the recovery itself in turn.
 */
final class CrashHarness {
    static final Path DIR = Path.of("/crash/store");
    /** Below this many volatile units every subset is an image; above it, the standard policies. */
    static final int ENUMERATE_ALL_UNITS = 6;

    private CrashHarness() {
    }

    // ------------------------------------------------------------------ oracle

    /** Writes in call order, and how many of them are acknowledged-durable. */
    static final class Oracle {
        record Write(String key, byte[] value) {
        }

        final List<Write> writes = new ArrayList<>();
        final TreeSet<String> keys = new TreeSet<>();
        /** Writes whose call threw: applied or not, whatever barriers follow. */
        final List<Integer> uncertain = new ArrayList<>();
        /** writes[0, durable) are acknowledged durable (a barrier returned after them), except the uncertain ones. */
        int durable;

        void started(String key, byte[] value) {
            writes.add(new Write(key, value));
            keys.add(key);
        }

        void lastWriteFailed() {
            uncertain.add(writes.size() - 1);
        }

        /** Writes whose index is in here are members of a batch that continues after them: no cut there. */
        final java.util.Set<Integer> insideBatch = new java.util.HashSet<>();

        void acknowledgeAll() {
            durable = writes.size();
        }

        /** The model after writes[0, cut). */
        Map<String, byte[]> modelAt(int cut) {
            return modelAt(cut, -1L);
        }

        /** The model after writes[0, cut), with the uncertain writes whose bit in {@code kept} is 0 left out. */
        Map<String, byte[]> modelAt(int cut, long kept) {
            Map<String, byte[]> m = new TreeMap<>();
            for (int i = 0; i < cut; i++) {
                int u = uncertain.indexOf(i);
                if (u >= 0 && (kept & (1L << u)) == 0) {
                    continue;
                }
                Write w = writes.get(i);
                if (w.value() == null) {
                    m.remove(w.key());
                } else {
                    m.put(w.key(), w.value());
                }
            }
            return m;
        }

        /**
         * RocksDB's "no hole" rule: the store must equal the model after exactly the writes up to
         * some cut between the acknowledged ones and all started ones.
         *
         * @return null when it does, else what the store holds and what was allowed
         */
        String check(Mapcask db) {
            Map<String, byte[]> got = new TreeMap<>();
            for (String k : keys) {
                byte[] v = db.get(k.getBytes(StandardCharsets.UTF_8));
                if (v != null) {
                    got.put(k, v);
                }
            }
            if (uncertain.size() > 16) {
                throw new IllegalStateException("too many failed writes to enumerate: " + uncertain.size());
            }
            for (int cut = writes.size(); cut >= durable; cut--) {
                if (insideBatch.contains(cut - 1)) {
                    continue; // a batch is all or nothing
                }
                for (long kept = 0; kept < 1L << uncertain.size(); kept++) {
                    if (same(got, modelAt(cut, kept))) {
                        return null;
                    }
                }
            }
            return "store holds " + describe(got) + "; allowed: the model after " + durable + ".." + writes.size()
                    + " writes, e.g. " + describe(modelAt(durable)) + " .. " + describe(modelAt(writes.size()));
        }

        private static boolean same(Map<String, byte[]> a, Map<String, byte[]> b) {
            if (!a.keySet().equals(b.keySet())) {
                return false;
            }
            for (Map.Entry<String, byte[]> e : a.entrySet()) {
                if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }

        private static String describe(Map<String, byte[]> m) {
            StringBuilder sb = new StringBuilder("{");
            m.forEach((k, v) -> sb.append(k).append('=').append(label(v)).append(' '));
            return sb.append('}').toString();
        }

        private static String label(byte[] v) {
            String s = new String(v, 0, Math.min(v.length, 24), StandardCharsets.ISO_8859_1);
            int end = s.indexOf('|');
            return end < 0 ? "?" + v.length : s.substring(0, end);
        }
    }

    // ------------------------------------------------------------------ workloads

    /**
     * Steps: {@code put <key>}, {@code del <key>}, {@code batch <key> -<key> ...} (puts and deletes
     * applied atomically), {@code sync}, {@code compact}, {@code
     * compact-tail} (all sealed segments but the oldest), {@code rotate}, {@code reopen}. Each put writes a self-identifying value ({@code key#n|} then padding) of a
     * length between 1 and 600 bytes, so records straddle pages.
     */
    record Workload(String name, List<String> steps, MapcaskOptions options) {
        static Workload of(String name, MapcaskOptions options, String... steps) {
            return new Workload(name, List.of(steps), options);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static MapcaskOptions smallStore() {
        return MapcaskOptions.builder().segmentSize(16 << 10).manifestMaxSize(1 << 10).compactionBackground(false).build();
    }

    static byte[] value(String key, int n) {
        byte[] head = (key + "#" + n + "|").getBytes(StandardCharsets.UTF_8);
        int length = Math.max(head.length, (int) ((n * 2654435761L + key.hashCode()) & 0x7FFFFFFF) % 600 + 1);
        byte[] v = new byte[length];
        System.arraycopy(head, 0, v, 0, head.length);
        for (int i = head.length; i < length; i++) {
            v[i] = (byte) (n + i);
        }
        return v;
    }

    /**
     * Runs the workload from an empty store to its clean close. Propagates {@link
     * SimulatedCrash}; {@code onFailure} sees the index and the {@link MapcaskException} of a
     * failed step (IO-error tests; the final close is step {@code steps().size()}) and the run goes
     * on with the next step.
     */
    static void run(Workload w, SimFs fs, Oracle oracle, BiConsumer<Integer, MapcaskException> onFailure) {
        Mapcask db = Mapcask.open(fs, DIR, w.options());
        boolean always = w.options().syncMode() != MapcaskOptions.SyncMode.NONE;
        for (int i = 0; i < w.steps().size(); i++) {
            String step = w.steps().get(i);
            String[] f = step.split(" ");
            try {
                switch (f[0]) {
                    case "put" -> {
                        byte[] v = value(f[1], oracle.writes.size());
                        oracle.started(f[1], v);
                        db.put(f[1].getBytes(StandardCharsets.UTF_8), v);
                        if (always) {
                            oracle.acknowledgeAll();
                        }
                    }
                    case "del" -> {
                        oracle.started(f[1], null);
                        db.delete(f[1].getBytes(StandardCharsets.UTF_8));
                        if (always) {
                            oracle.acknowledgeAll();
                        }
                    }
                    case "batch" -> {
                        // "batch a b -c": puts of a and b and a delete of c, atomically
                        WriteBatch batch = new WriteBatch();
                        int first = oracle.writes.size();
                        for (int j = 1; j < f.length; j++) {
                            boolean delete = f[j].startsWith("-");
                            String k = delete ? f[j].substring(1) : f[j];
                            byte[] v = delete ? null : value(k, oracle.writes.size());
                            oracle.started(k, v);
                            if (delete) {
                                batch.delete(k.getBytes(StandardCharsets.UTF_8));
                            } else {
                                batch.put(k.getBytes(StandardCharsets.UTF_8), v);
                            }
                        }
                        for (int j = first; j < oracle.writes.size() - 1; j++) {
                            oracle.insideBatch.add(j);
                        }
                        try {
                            db.write(batch);
                        } catch (MapcaskException e) {
                            for (int j = first; j < oracle.writes.size(); j++) {
                                oracle.uncertain.add(j);
                            }
                            throw e;
                        }
                        if (always) {
                            oracle.acknowledgeAll();
                        }
                    }
                    case "sync" -> {
                        db.sync();
                        oracle.acknowledgeAll();
                    }
                    case "compact" -> db.compact();
                    case "compact-tail" -> {
                        // A partial compaction: every sealed segment but the oldest.
                        Store store = db.storeForTest();
                        store.rotateForTest();
                        List<Long> sealed = store.sealedIdsForTest();
                        store.compact(sealed.subList(Math.min(1, sealed.size()), sealed.size()));
                    }
                    case "rotate" -> db.storeForTest().rotateForTest();
                    case "reopen" -> {
                        db.close();
                        oracle.acknowledgeAll();
                        db = Mapcask.open(fs, DIR, w.options());
                    }
                    default -> throw new IllegalArgumentException(step);
                }
            } catch (MapcaskException e) {
                if (onFailure == null) {
                    throw e;
                }
                if (f[0].equals("put") || f[0].equals("del")) {
                    oracle.lastWriteFailed();
                }
                onFailure.accept(i, e);
                if (f[0].equals("reopen")) {
                    db = Mapcask.open(fs, DIR, w.options());
                }
            }
        }
        try {
            db.close();
            oracle.acknowledgeAll();
        } catch (MapcaskException e) {
            if (onFailure == null) {
                throw e;
            }
            onFailure.accept(w.steps().size(), e);
        }
    }

    /** A durable empty parent directory, the same for every run of a seed. */
    static SimFs fresh(long seed) {
        SimFs fs = new SimFs(seed);
        try {
            fs.createDirectories(DIR.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fs.syncAll();
        return fs;
    }

    // ------------------------------------------------------------------ enumeration

    /** What an enumeration checked. */
    static final class Counts {
        long images;
        long recoveryImages;
        long crashPoints;
        final Map<SimOpKind, Long> crashPointKinds = new EnumMap<>(SimOpKind.class);

        void add(Counts o) {
            images += o.images;
            recoveryImages += o.recoveryImages;
            crashPoints += o.crashPoints;
            o.crashPointKinds.forEach((k, v) -> crashPointKinds.merge(k, v, Long::sum));
        }

        @Override
        public String toString() {
            return crashPoints + " crash points, " + images + " crash images, " + recoveryImages
                    + " images of crashed recoveries; op kinds " + crashPointKinds;
        }
    }

    /**
     * Crashes {@code w} before and after every state-changing op, checks every image; every
     * {@code recoveryEvery}-th crash point also crashes the recovery of one image at each of its
     * ops. Throws {@link AssertionError} naming the workload, seed, op and image on the first
     * violation.
     */
    static Counts enumerate(Workload w, long seed, int recoveryEvery) {
        SimFs probe = fresh(seed);
        SimTrace trace = new SimTrace();
        probe.setHook(trace);
        Oracle full = new Oracle();
        run(w, probe, full, null);
        Counts counts = new Counts();
        Random rnd = new Random(seed);
        int point = 0;
        for (SimOp op : trace.ops()) {
            if (!op.kind().changesState()) {
                continue;
            }
            for (boolean after : new boolean[] {false, true}) {
                SimFs fs = fresh(seed);
                fs.setHook(after ? SimHook.crashAfter(op.index()) : SimHook.crashBefore(op.index()));
                Oracle oracle = new Oracle();
                try {
                    run(w, fs, oracle, null);
                    throw new AssertionError(w + ": no crash at op " + op + " (the workload is not deterministic)");
                } catch (SimulatedCrash expected) {
                    // the power went out
                }
                counts.crashPoints++;
                counts.crashPointKinds.merge(op.kind(), 1L, Long::sum);
                String where = w + ", seed " + seed + ", crash " + (after ? "after" : "before") + " op " + op;
                CrashState state = fs.crashState();
                for (SimFs image : images(state, rnd)) {
                    checkImage(image, oracle, where, w.options());
                    counts.images++;
                }
                if (recoveryEvery > 0 && point++ % recoveryEvery == 0) {
                    counts.recoveryImages += crashRecovery(state, oracle, where, w.options(), rnd);
                }
            }
        }
        return counts;
    }

    /** Every subset of the volatile units when they are few, else the standard policies and torn pages. */
    static List<SimFs> images(CrashState state, Random rnd) {
        List<SimFs> images = new ArrayList<>();
        if (state.unitCount() <= ENUMERATE_ALL_UNITS) {
            state.allImages().forEach(images::add);
        } else {
            for (CrashPolicy p : CrashPolicy.standard()) {
                images.add(state.image(p, rnd));
            }
        }
        for (TornPage t : new TornPage[] {TornPage.SECTORS, TornPage.WORDS, TornPage.GARBAGE}) {
            images.add(state.image(CrashPolicy.allVolatile().withTornPage(t), rnd));
        }
        return images;
    }

    /** Opens an image: it must open and hold a state the oracle allows. */
    static void checkImage(SimFs image, Oracle oracle, String where, MapcaskOptions options) {
        Mapcask db;
        try {
            db = Mapcask.open(image, DIR, options);
        } catch (RuntimeException | Error e) {
            throw new AssertionError("the store does not open after a crash (" + where + "): " + e, e);
        }
        String problem;
        try {
            problem = oracle.check(db);
            db.close();
        } catch (RuntimeException | Error e) {
            throw new AssertionError("reading the recovered store failed (" + where + "): " + e, e);
        }
        if (problem != null) {
            throw new AssertionError("wrong state after a crash (" + where + "): " + problem);
        }
    }

    /**
     * Crashes the recovery of the all-volatile image (and of one random image) at each of its
     * state-changing ops and checks both images of that second crash.
     */
    private static long crashRecovery(CrashState state, Oracle oracle, String where, MapcaskOptions options,
            Random rnd) {
        long checked = 0;
        SimFs probe = state.allVolatileImage();
        SimTrace trace = new SimTrace();
        probe.setHook(trace);
        try {
            Mapcask.open(probe, DIR, options).close();
        } catch (RuntimeException e) {
            throw new AssertionError("the store does not open after a crash (" + where + "): " + e, e);
        }
        for (SimOp op : trace.ops()) {
            if (!op.kind().changesState()) {
                continue;
            }
            SimFs image = state.allVolatileImage();
            image.setHook(SimHook.crashBefore(op.index()));
            try {
                Mapcask.open(image, DIR, options).close();
                continue; // the op was in close(), after recovery
            } catch (SimulatedCrash expected) {
                // the power went out during recovery
            }
            CrashState second = image.crashState();
            String where2 = where + ", then during recovery before op " + op;
            checkImage(second.durableImage(), oracle, where2, options);
            checkImage(second.image(CrashPolicy.probability(0.5), rnd), oracle, where2, options);
            checked += 2;
        }
        return checked;
    }
}
