package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-based randomized test: a seeded stream of put / delete / get / sync / rotate / reopen
 * (close + open) / crash (abandon + open), checked against an in-memory model after every step
 * and against the whole model after every reopen.
 *
 * <p>After a crash ({@link Mapcask#abandon()}, then open) only acknowledged writes are
 * guaranteed: those covered by a {@code sync()} or made under {@code sync.mode=always}. The
 * test keeps the acknowledged state beside the full model and checks that every key has its
 * last acknowledged value or a value written to it later, that no key deleted (or never
 * written) before the last acknowledgement comes back, and, stronger, that the recovered
 * state is the state after some prefix of the writes since the acknowledgement (a log loses
 * a suffix, never a hole).
 *
 * <p>A crash on the real file system loses nothing (the page cache survives the process), so
 * half of the crashes also damage what a power loss may damage: the pages of the active
 * segment above its durable mark.
 *
 * <p>Segments are small (128 KiB) so that rotation happens every few dozen writes; a "rotate"
 * step writes a value of the largest size, which fills a segment on its own. Each store
 * lifetime picks {@code sync.mode=none} or, one time in twelve, {@code always}; one test runs
 * with {@code always} throughout.
 */
class MapcaskModelTest {
    private static final long SEGMENT_SIZE = 128 << 10;
    private static final int MAX_KEY = 300;
    private static final int KEY_SPACE = 2_000;
    private static final int FULL_CHECK_EVERY = 2_000;

    @TempDir
    Path dir;

    @Test
    void shouldAgreeWithModelThroughRandomWritesRotationsReopensAndCrashes() {
        new Run(TestSeeds.seed(0x4D4F44454C31L), dir, 100_000, 1.0 / 12, 1).execute();
    }

    @Test
    void shouldLoseNoWriteAcrossCrashesWhenSyncModeIsAlways() {
        new Run(TestSeeds.seed(0x4D4F44454C32L), dir, 5_000, 1.0, 1).execute();
    }

    /**
     * Ten times the operations of the default run on one store. Without compaction the store
     * only grows, and opening and closing cost time per segment, so lifetimes are ten times
     * longer here: about as many reopens and crashes as the default run, over far more data.
     */
    @Test
    @Tag("long")
    void shouldAgreeWithModelThroughTenTimesLongerRun() {
        new Run(TestSeeds.seed(0x4D4F44454C33L), dir, 1_000_000, 1.0 / 12, 10).execute();
    }

    /** One write as the model records it: {@code value} null for a delete. */
    private record Write(int key, byte[] value) {
    }

    private static final class Run {
        private final long seed;
        private final Random rnd;
        private final Path dir;
        private final int operations;
        private final double alwaysShare;
        /** Reopens and crashes are this many times rarer than in the default mix. */
        private final int lifetimeScale;
        private final byte[][] keys = new byte[KEY_SPACE][];
        /** Keys never written: get must always return null. */
        private final byte[][] absentKeys = new byte[64][];
        /** Everything written: what get must return now. */
        private Map<Integer, byte[]> model = new HashMap<>();
        /** The state at the last acknowledgement (sync, sync.mode=always, close, recovery). */
        private Map<Integer, byte[]> acked = new HashMap<>();
        /** Writes since the last acknowledgement, in order. */
        private final List<Write> sinceAck = new ArrayList<>();
        private final ArrayDeque<String> recent = new ArrayDeque<>();
        private Mapcask db;
        private MapcaskOptions options;
        private long step;
        private String op = "open";
        private int maxValue;
        private long puts, deletes, gets, syncs, rotations, reopens, crashes, crashesLosingWrites, lifetimesAlways;
        private long bytesWritten;
        /** Wall time per kind of step, for the summary line: writes, syncs, reopens and crashes (with their checks). */
        private long writeNanos, syncNanos, reopenNanos, alwaysWriteNanos;

        Run(long seed, Path dir, int operations, double alwaysShare, int lifetimeScale) {
            this.seed = seed;
            this.rnd = new Random(seed);
            this.dir = dir;
            this.operations = operations;
            this.alwaysShare = alwaysShare;
            this.lifetimeScale = lifetimeScale;
        }

        void execute() {
            long start = System.nanoTime();
            try {
                makeKeys();
                open();
                for (step = 1; step <= operations; step++) {
                    oneStep();
                    assertEquals(model.size(), db.size(), this::where);
                    if (step % FULL_CHECK_EVERY == 0) {
                        op = "full check";
                        checkAll(db, model, "periodic full check");
                    }
                }
                op = "final reopen";
                reopen();
            } catch (Throwable t) {
                throw new AssertionError(context() + "\n  failure: " + t, t);
            } finally {
                if (db != null) {
                    try {
                        db.close();
                    } catch (RuntimeException ignored) {
                        // the failure above is what matters
                    }
                }
            }
            System.out.printf("MapcaskModelTest: %s: %d steps in %.1f s: %d puts (%d MiB), %d deletes, %d gets, "
                    + "%d syncs, %d rotations, %d reopens, %d crashes (%d lost unacknowledged writes), "
                    + "%d lifetimes with sync.mode=always; seconds in writes %.1f (always %.1f), syncs %.1f, "
                    + "reopens and crashes %.1f%n",
                    TestSeeds.describe(seed), operations, (System.nanoTime() - start) / 1e9, puts, bytesWritten >> 20,
                    deletes, gets, syncs, rotations, reopens, crashes, crashesLosingWrites, lifetimesAlways,
                    writeNanos / 1e9, alwaysWriteNanos / 1e9, syncNanos / 1e9, reopenNanos / 1e9);
        }

        private String where() {
            return "step " + step + " (" + op + ")";
        }

        private String context() {
            return "[" + TestSeeds.describe(seed) + "] step " + step + " of " + operations + ", op: " + op
                    + ", sync.mode: " + (options == null ? "?" : options.syncMode()) + "\n  recent ops (oldest first): "
                    + String.join("; ", recent);
        }

        private void note(String what) {
            op = what;
            if (recent.size() == 24) {
                recent.removeFirst();
            }
            recent.addLast(step + ":" + what);
        }

        // ------------------------------------------------------------ generation

        private void makeKeys() {
            Set<ByteBuffer> seen = new HashSet<>();
            for (int i = 0; i < KEY_SPACE + absentKeys.length; ) {
                byte[] k;
                if (i > 0 && rnd.nextInt(20) == 0) {
                    // A prefix or an extension of an earlier key: same leading bytes, another length.
                    byte[] base = keys[rnd.nextInt(Math.min(i, KEY_SPACE))];
                    int len = rnd.nextBoolean() && base.length > 1 ? base.length - 1 : Math.min(MAX_KEY, base.length + 1);
                    k = Arrays.copyOf(base, len);
                    if (len > base.length) {
                        k[len - 1] = (byte) rnd.nextInt();
                    }
                } else {
                    int p = rnd.nextInt(100);
                    int len = p < 40 ? 1 + rnd.nextInt(8)
                            : p < 80 ? 9 + rnd.nextInt(32)
                            : p < 95 ? 41 + rnd.nextInt(110)
                            : 151 + rnd.nextInt(MAX_KEY - 150);
                    k = new byte[len];
                    rnd.nextBytes(k);
                }
                if (seen.add(ByteBuffer.wrap(k))) {
                    if (i < KEY_SPACE) {
                        keys[i] = k;
                    } else {
                        absentKeys[i - KEY_SPACE] = k;
                    }
                    i++;
                }
            }
        }

        private byte[] value() {
            int p = rnd.nextInt(100);
            int len = p < 5 ? 0
                    : p < 59 ? 1 + rnd.nextInt(64)
                    : p < 88 ? 65 + rnd.nextInt(960)
                    : p < 99 ? 1025 + rnd.nextInt(7 * 1024)
                    : 8193 + rnd.nextInt(56 * 1024);
            return bytes(len);
        }

        private byte[] bytes(int len) {
            byte[] v = new byte[len];
            rnd.nextBytes(v);
            return v;
        }

        // ------------------------------------------------------------ steps

        /** The kinds of step, with their share of 10,000 in the default mix. */
        private enum Kind {
            PUT(5_500), DELETE(1_200), GET(2_766), SYNC(250), BURST(250), ROTATE(10), REOPEN(12), CRASH(12);

            final int share;

            Kind(int share) {
                this.share = share;
            }

            static final int TOTAL = Arrays.stream(values()).mapToInt(k -> k.share).sum();
        }

        private Kind pick() {
            int p = rnd.nextInt(Kind.TOTAL);
            for (Kind k : Kind.values()) {
                if (p < k.share) {
                    if ((k == Kind.REOPEN || k == Kind.CRASH) && lifetimeScale > 1 && rnd.nextInt(lifetimeScale) != 0) {
                        return Kind.PUT; // lifetimes made longer
                    }
                    return k;
                }
                p -= k.share;
            }
            throw new AssertionError(p);
        }

        private void oneStep() {
            Kind kind = pick();
            long t0 = System.nanoTime();
            switch (kind) {
                case PUT -> put(rnd.nextInt(KEY_SPACE), value());
                case DELETE -> delete(rnd.nextInt(KEY_SPACE));
                case GET -> get();
                case SYNC -> {
                    note("sync");
                    syncs++;
                    db.sync();
                    acknowledge();
                }
                case BURST -> {
                    // Many versions of one key close together, often in one segment.
                    int k = rnd.nextInt(KEY_SPACE);
                    for (int i = 0; i < 8; i++) {
                        put(k, bytes(rnd.nextInt(200)));
                    }
                }
                case ROTATE -> {
                    // A value of the largest accepted size fills a segment by itself: rotation before and after it.
                    note("rotate");
                    rotations++;
                    put(rnd.nextInt(KEY_SPACE), bytes(maxValue));
                }
                case REOPEN -> reopen();
                case CRASH -> crash();
            }
            long dt = System.nanoTime() - t0;
            switch (kind) {
                case SYNC -> syncNanos += dt;
                case REOPEN, CRASH -> reopenNanos += dt;
                case GET -> { }
                default -> {
                    if (options.syncMode() == MapcaskOptions.SyncMode.ALWAYS) {
                        alwaysWriteNanos += dt;
                    } else {
                        writeNanos += dt;
                    }
                }
            }
        }

        private void get() {
            gets++;
            if (rnd.nextInt(20) == 0) {
                byte[] k = absentKeys[rnd.nextInt(absentKeys.length)];
                note("get never-written key of " + k.length + " B");
                assertNull(db.get(k), this::where);
            } else {
                int k = rnd.nextInt(KEY_SPACE);
                note("get k" + k);
                assertArrayEquals(model.get(k), db.get(keys[k]), this::where);
            }
        }

        private void put(int k, byte[] v) {
            note("put k" + k + " (" + keys[k].length + " B key, " + v.length + " B value)");
            puts++;
            bytesWritten += v.length;
            byte[] mine = v.clone();
            db.put(keys[k], v);
            model.put(k, mine);
            written(k, mine);
            assertArrayEquals(mine, db.get(keys[k]), this::where);
        }

        private void delete(int k) {
            note("delete k" + k);
            deletes++;
            boolean expected = model.containsKey(k);
            assertEquals(expected, db.delete(keys[k]), this::where);
            if (expected) {
                model.remove(k);
                written(k, null);
            }
            assertNull(db.get(keys[k]), this::where);
        }

        private void written(int k, byte[] v) {
            if (options.syncMode() == MapcaskOptions.SyncMode.ALWAYS) {
                apply(acked, k, v);
            } else {
                sinceAck.add(new Write(k, v));
            }
        }

        private static void apply(Map<Integer, byte[]> state, int k, byte[] v) {
            if (v == null) {
                state.remove(k);
            } else {
                state.put(k, v);
            }
        }

        private void acknowledge() {
            for (Write w : sinceAck) {
                apply(acked, w.key(), w.value());
            }
            sinceAck.clear();
        }

        // ------------------------------------------------------------ lifetimes

        private void open() {
            boolean always = rnd.nextDouble() < alwaysShare;
            lifetimesAlways += always ? 1 : 0;
            options = MapcaskOptions.builder()
                    .segmentSize(SEGMENT_SIZE)
                    .maxKeySize(MAX_KEY)
                    .keydirInitialCapacity(16)
                    .syncMode(always ? MapcaskOptions.SyncMode.ALWAYS : MapcaskOptions.SyncMode.NONE)
                    .compactionBackground(false) // the seeded stream alone decides what happens
                    .build();
            maxValue = options.maxValueSize();
            db = Mapcask.open(dir, options);
        }

        private void reopen() {
            note("reopen (close + open)");
            reopens++;
            db.close();
            db = null;
            open();
            checkAll(db, model, "after close and open");
            acked = new HashMap<>(model);
            sinceAck.clear();
        }

        /** Drops the instance as a killed process would, opens again, and checks what survived. */
        private void crash() {
            note("crash (abandon + open) with " + sinceAck.size() + " unacknowledged writes");
            crashes++;
            db.abandon();
            db = null;
            if (rnd.nextBoolean()) {
                loseUnforcedPages();
            }
            open();
            Map<Integer, byte[]> recovered = readAll(db);
            checkRecovered(recovered);
            if (!sameValues(recovered, model)) {
                crashesLosingWrites++;
            }
            model = recovered;
            acked = new HashMap<>(recovered);
            sinceAck.clear();
            assertEquals(model.size(), db.size(), () -> where() + ": size() after recovery");
            if (rnd.nextInt(3) == 0) {
                // Crash again right after recovery: the recovered state must stay as it is.
                note("crash again right after recovery");
                crashes++;
                db.abandon();
                db = null;
                open();
                checkAll(db, model, "second recovery in a row");
            }
        }

        /**
         * What a power loss may do to the pages of the active segment that hold bytes above its
         * durable mark (written, never forced): each such 4 KiB page independently keeps its
         * new bytes, loses them (zeros, as preallocated), or is torn (garbage in a part of it).
         * Bytes below the mark were forced and stay.
         */
        private void loseUnforcedPages() {
            Path file = StoreFiles.activeSegment(dir);
            if (file == null) {
                return;
            }
            byte[] bytes = StoreFiles.read(file);
            MemorySegment s = MemorySegment.ofArray(bytes);
            long mark = SegmentHeader.durableEnd(s);
            List<Long> offsets = StoreFiles.recordOffsets(s);
            long end = offsets.get(offsets.size() - 1);
            if (end <= mark) {
                return;
            }
            note("lose unforced pages of " + file.getFileName() + " above its durable mark " + mark + " (end " + end + ")");
            int page = 4096;
            for (long p = mark / page * page; p < end; p += page) {
                int from = (int) Math.max(p, mark);
                int to = (int) Math.min(p + page, end);
                switch (rnd.nextInt(4)) {
                    case 0 -> Arrays.fill(bytes, from, to, (byte) 0);
                    case 1 -> {
                        int tornFrom = from + rnd.nextInt(to - from);
                        for (int i = tornFrom; i < to; i++) {
                            bytes[i] = (byte) rnd.nextInt();
                        }
                    }
                    default -> {
                        // the page reached the disk
                    }
                }
            }
            StoreFiles.writeAt(file, mark, Arrays.copyOfRange(bytes, (int) mark, (int) end));
        }

        private static boolean sameValues(Map<Integer, byte[]> a, Map<Integer, byte[]> b) {
            for (Map.Entry<Integer, byte[]> e : a.entrySet()) {
                if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
            return a.size() == b.size();
        }

        private Map<Integer, byte[]> readAll(Mapcask store) {
            Map<Integer, byte[]> state = new HashMap<>();
            for (int k = 0; k < KEY_SPACE; k++) {
                byte[] v = store.get(keys[k]);
                if (v != null) {
                    state.put(k, v);
                }
            }
            return state;
        }

        private void checkAll(Mapcask store, Map<Integer, byte[]> expected, String when) {
            for (int k = 0; k < KEY_SPACE; k++) {
                int key = k;
                assertArrayEquals(expected.get(k), store.get(keys[k]), () -> where() + ": " + when + ", key k" + key);
            }
            for (byte[] k : absentKeys) {
                assertNull(store.get(k), () -> where() + ": " + when + ", a never-written key");
            }
            assertEquals(expected.size(), store.size(), () -> where() + ": " + when + ", size()");
        }

        /**
         * After a crash: every key holds its acknowledged value or one written to it later, and
         * the whole state is the acknowledged state plus a prefix of the later writes.
         */
        private void checkRecovered(Map<Integer, byte[]> recovered) {
            Map<Integer, List<Integer>> positions = new HashMap<>();
            for (int i = 0; i < sinceAck.size(); i++) {
                positions.computeIfAbsent(sinceAck.get(i).key(), x -> new ArrayList<>()).add(i);
            }
            for (int k = 0; k < KEY_SPACE; k++) {
                byte[] got = recovered.get(k);
                byte[] ack = acked.get(k);
                if (Arrays.equals(got, ack)) {
                    continue;
                }
                boolean writtenLater = false;
                for (int i : positions.getOrDefault(k, List.of())) {
                    writtenLater |= Arrays.equals(got, sinceAck.get(i).value());
                }
                if (!writtenLater) {
                    int key = k;
                    Supplier<String> what = () -> where() + ": after a crash key k" + key + " holds "
                            + describe(got) + "; acknowledged: " + describe(ack) + ", written since: "
                            + positions.getOrDefault(key, List.of()).stream()
                                    .map(i -> describe(sinceAck.get(i).value())).toList();
                    if (ack == null && got != null) {
                        fail(() -> what.get() + " (a key deleted or absent at the last sync came back)");
                    }
                    fail(what);
                }
            }
            // Cut c means: the first c writes since the acknowledgement survived, the rest did not.
            int n = sinceAck.size();
            BitSet cuts = new BitSet(n + 1);
            cuts.set(0, n + 1);
            for (Map.Entry<Integer, List<Integer>> e : positions.entrySet()) {
                byte[] got = recovered.get(e.getKey());
                List<Integer> at = e.getValue();
                BitSet ok = new BitSet(n + 1);
                if (Arrays.equals(got, acked.get(e.getKey()))) {
                    ok.set(0, at.get(0) + 1);
                }
                for (int j = 0; j < at.size(); j++) {
                    int from = at.get(j) + 1;
                    int to = j + 1 < at.size() ? at.get(j + 1) + 1 : n + 1;
                    if (Arrays.equals(got, sinceAck.get(at.get(j)).value())) {
                        ok.set(from, to);
                    }
                }
                cuts.and(ok);
            }
            if (cuts.isEmpty()) {
                fail(() -> where() + ": after a crash the store holds no prefix of the " + n
                        + " unacknowledged writes (a write survived while an earlier one was lost)");
            }
        }

        private static String describe(byte[] v) {
            return v == null ? "absent" : v.length + " B value #" + Arrays.hashCode(v);
        }
    }
}
