package io.mapcask;

import static io.mapcask.StoreModel.key;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mapcask.mmap.SimFault;
import io.mapcask.mmap.SimFs;
import io.mapcask.mmap.SimHook;
import io.mapcask.mmap.SimOp;
import io.mapcask.mmap.SimOpKind;
import io.mapcask.mmap.SimTrace;
import io.mapcask.mmap.SimulatedCrash;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Mapcask#backup}: a consistent copy at one point while writers, rotations and compactions
 * go on; hard links for sealed segments (copies across file systems or when linking fails); a
 * refused destination; a failed backup that leaves nothing; a crash during a backup that leaves
 * either no store or the whole backup.
 */
class BackupTest {
    private static final long SMALL_SEGMENT = 64 << 10;

    @TempDir
    Path root;

    private static MapcaskOptions options() {
        return MapcaskOptions.builder().segmentSize(SMALL_SEGMENT).compactionBackground(false).build();
    }

    // ------------------------------------------------------------------ under concurrent writers

    /** One writer's operations, fixed in advance from its seed: key, then value (null: delete). */
    private record Op(String key, byte[] value) {
    }

    private static List<Op> ops(int writer, Random rnd, int count) {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String k = "w" + writer + "-k" + rnd.nextInt(40);
            if (rnd.nextInt(6) == 0) {
                ops.add(new Op(k, null));
            } else {
                byte[] v = new byte[12 + rnd.nextInt(300)];
                rnd.nextBytes(v);
                ByteBuffer.wrap(v).putInt(writer).putInt(i); // no two writes give the same bytes
                ops.add(new Op(k, v));
            }
        }
        return ops;
    }

    /** The values of a writer's keys after its first {@code n} operations. */
    private static Map<String, byte[]> after(List<Op> ops, int n) {
        Map<String, byte[]> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(ops.get(i).key(), ops.get(i).value());
        }
        return m;
    }

    @Test
    void shouldHoldExactlyAPrefixOfEveryWritersWritesUnderConcurrentWritesAndCompactions() {
        TestSeeds.run(0x4241434B55505752L, rnd -> {
            int writers = 3;
            int backups = 4;
            List<List<Op>> ops = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                ops.add(ops(w, new Random(rnd.nextLong()), 20_000));
            }
            AtomicIntegerArray started = new AtomicIntegerArray(writers);
            AtomicIntegerArray done = new AtomicIntegerArray(writers);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Path store = root.resolve("store");
            int[][] bounds = new int[backups][2 * writers];
            List<Thread> threads = new ArrayList<>();
            try (Mapcask db = Mapcask.open(store, options())) {
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    threads.add(Thread.ofPlatform().start(() -> {
                        try {
                            List<Op> mine = ops.get(writer);
                            for (int i = 0; i < mine.size() && !stop.get(); i++) {
                                started.set(writer, i + 1);
                                Op op = mine.get(i);
                                if (op.value() == null) {
                                    db.delete(key(op.key()));
                                } else {
                                    db.put(key(op.key()), op.value());
                                }
                                done.set(writer, i + 1);
                            }
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        }
                    }));
                }
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        while (!stop.get()) {
                            db.compact();
                            Thread.sleep(5);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
                for (int b = 0; b < backups; b++) {
                    Thread.sleep(20 + rnd.nextInt(40));
                    for (int w = 0; w < writers; w++) {
                        while (done.get(w) < 200 * (b + 1) && failure.get() == null) {
                            Thread.sleep(1); // every writer a few hundred writes further than at the last backup
                        }
                    }
                    for (int w = 0; w < writers; w++) {
                        bounds[b][w] = done.get(w); // returned before the backup began: must be in it
                    }
                    db.backup(root.resolve("backup-" + b));
                    for (int w = 0; w < writers; w++) {
                        bounds[b][writers + w] = started.get(w); // began after the backup returned: must not be
                    }
                }
                stop.set(true);
                for (Thread t : threads) {
                    t.join();
                }
            }
            if (failure.get() != null) {
                throw new AssertionError("a writer or the compactor failed", failure.get());
            }
            System.out.println("backups under " + writers + " writers and back-to-back compactions: returned-before"
                    + " / started-after counts per writer: " + Arrays.deepToString(bounds));
            for (int b = 0; b < backups; b++) {
                try (Mapcask backup = Mapcask.open(root.resolve("backup-" + b), options())) {
                    Map<String, byte[]> expected = new HashMap<>();
                    for (int w = 0; w < writers; w++) {
                        expected.putAll(prefixHeld(backup, ops.get(w), bounds[b][w], bounds[b][writers + w],
                                "backup " + b + ", writer " + w));
                    }
                    StoreModel.assertHolds(backup, expected, "backup " + b);
                }
            }
        });
    }

    /**
     * @return the values after the one prefix of {@code ops}, at least {@code min} and at most
     *     {@code max} long, that {@code db} holds for the writer's keys
     */
    private static Map<String, byte[]> prefixHeld(Mapcask db, List<Op> ops, int min, int max, String what) {
        Map<String, byte[]> held = new HashMap<>();
        for (Op op : ops.subList(0, max)) {
            held.put(op.key(), db.get(key(op.key())));
        }
        Map<String, byte[]> m = after(ops, min);
        for (int n = min; ; n++) {
            if (same(m, held)) {
                return m;
            }
            if (n == max) {
                fail(what + ": the backup holds no prefix of the writer's operations between " + min + " and " + max);
            }
            m.put(ops.get(n).key(), ops.get(n).value());
        }
    }

    private static boolean same(Map<String, byte[]> model, Map<String, byte[]> held) {
        for (Map.Entry<String, byte[]> e : held.entrySet()) {
            if (!Arrays.equals(model.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ links and copies

    /** A store of several sealed segments and an active one with records, open. */
    private static Mapcask populated(Path store, StoreModel model, Random rnd) {
        Mapcask db = Mapcask.open(store, options());
        model.write(db, rnd, 300, 1_200);
        assertTrue(db.storeForTest().sealedIdsForTest().size() >= 3, "the test needs several sealed segments");
        return db;
    }

    @Test
    void shouldLinkTheSealedSegmentsAndCopyTheActiveOneUpToTheBackupPoint() {
        TestSeeds.run(0x4241434B4C494E4BL, rnd -> {
            Path store = root.resolve("store");
            Path dest = root.resolve("deeper/backup");
            StoreModel model = new StoreModel();
            StoreModel atBackup;
            List<Long> sealed;
            try (Mapcask db = populated(store, model, rnd)) {
                sealed = db.storeForTest().sealedIdsForTest();
                long sequence = db.backup(dest);
                assertEquals(db.durableSequence(), sequence, "the backup point is synced");
                atBackup = model.copy();
                db.put(key("after"), new byte[] {1}); // lands in the active segment, past the copied part
                db.delete(key(model.values.keySet().iterator().next()));
                for (long id : sealed) {
                    assertTrue(Files.isSameFile(FileNames.data(store, id), FileNames.data(dest, id)), "linked: " + id);
                    assertTrue(Files.isSameFile(FileNames.hint(store, id), FileNames.hint(dest, id)), "linked: hint " + id);
                }
                LiveSet backupLive = StoreFiles.liveSet(dest);
                assertNull(backupLive.active(), "the backup has no active segment");
                long activeId = backupLive.segments().stream().mapToLong(SegmentMeta::id).max().orElseThrow();
                assertFalse(sealed.contains(activeId));
                assertFalse(Files.isSameFile(FileNames.data(store, activeId), FileNames.data(dest, activeId)), "copied");
                assertEquals(backupLive.get(activeId).length(), StoreFiles.size(FileNames.data(dest, activeId)),
                        "the active segment is copied up to the backup point, no further");
                assertEquals(sequence, backupLive.lastSequence());
                assertEquals(List.of(), StoreFiles.list(dest, "MANIFEST-000001"), "never numbered like a new store's");
            }
            try (Mapcask backup = Mapcask.open(dest, options())) {
                atBackup.assertIn(backup, "the backup");
                assertNull(backup.get(key("after")));
            }
        });
    }

    @Test
    void shouldCopyWhenTheDestinationIsOnAnotherFileSystem() throws IOException {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm)
                && !Files.getFileStore(shm).equals(Files.getFileStore(root)), "needs /dev/shm on another file system");
        Path other = Files.createTempDirectory(shm, "mapcask-backup-");
        try {
            TestSeeds.run(0x4241434B45584456L, rnd -> {
                StoreModel model = new StoreModel();
                StoreModel atBackup;
                Path dest = other.resolve("backup");
                try (Mapcask db = populated(root.resolve("store"), model, rnd)) {
                    db.backup(dest);
                    atBackup = model.copy();
                    db.compact(); // unlinks every segment of the store: the copies must not care
                }
                try (Mapcask backup = Mapcask.open(dest, options())) {
                    atBackup.assertIn(backup, "a backup on another file system");
                }
            });
        } finally {
            try (var paths = Files.walk(other)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void shouldLeaveOutADamagedHintAndLetTheBackupScanItsSegment() {
        TestSeeds.run(0x4241434B48494E54L, rnd -> {
            Path store = root.resolve("store");
            StoreModel model = new StoreModel();
            populated(store, model, rnd).close();
            // The store opens from its keydir checkpoint, so the damaged hint stays as it is.
            Path hint = StoreFiles.list(store, "*.hint").get(1);
            StoreFiles.truncate(hint, 100);
            Path dest = root.resolve("backup");
            try (Mapcask db = Mapcask.open(store, options())) {
                db.backup(dest);
            }
            Path backupHint = dest.resolve(hint.getFileName().toString());
            assertFalse(Files.exists(backupHint), "a damaged hint is left out");
            try (Mapcask backup = Mapcask.open(dest, options())) {
                model.assertIn(backup, "a backup without one hint");
            }
            assertTrue(Files.exists(backupHint), "the backup's open wrote its own hint");
            assertFalse(Files.isSameFile(hint, backupHint));
            assertEquals(100, StoreFiles.size(hint), "the store's damaged hint is untouched");
        });
    }

    // ------------------------------------------------------------------ destination

    @Test
    void shouldRefuseADestinationThatIsNotANewOrEmptyDirectoryNamingIt() throws IOException {
        Path store = root.resolve("store");
        Path file = root.resolve("file");
        Files.write(file, new byte[] {1});
        Path full = root.resolve("full");
        Files.createDirectories(full.resolve("sub"));
        try (Mapcask db = Mapcask.open(store, options())) {
            db.put(key("a"), new byte[] {1});
            var before = StoreFiles.snapshot(root);
            for (Path dest : List.of(file, full, store)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> db.backup(dest));
                assertTrue(e.getMessage().contains(dest.toString()), e.getMessage());
            }
            NullPointerException npe = assertThrows(NullPointerException.class, () -> db.backup(null));
            assertEquals("dest", npe.getMessage());
            StoreFiles.assertUnchanged(before, root, "refused backups");
            Path empty = Files.createDirectory(root.resolve("empty"));
            db.backup(empty);
            try (Mapcask backup = Mapcask.open(empty, options())) {
                assertArrayEquals(new byte[] {1}, backup.get(key("a")));
            }
        }
    }

    @Test
    void shouldBackUpAnEmptyStoreAndOneWithoutAnActiveSegment() {
        Path store = root.resolve("store");
        try (Mapcask db = Mapcask.open(store, options())) {
            db.backup(root.resolve("empty-backup"));
            db.put(key("a"), new byte[] {7});
        }
        try (Mapcask db = Mapcask.open(store, options())) {
            db.backup(root.resolve("sealed-backup"));
        }
        try (Mapcask backup = Mapcask.open(root.resolve("empty-backup"), options())) {
            assertEquals(0, backup.size());
        }
        try (Mapcask backup = Mapcask.open(root.resolve("sealed-backup"), options())) {
            assertArrayEquals(new byte[] {7}, backup.get(key("a")));
        }
    }

    // ------------------------------------------------------------------ failures and crashes

    private static final Path SIM_DEST = CrashHarness.DIR.resolveSibling("backups/one");

    /** Puts across three sealed segments (each synced) and an active one with ten unsynced records. */
    private static Map<String, byte[]> writeBeforeBackup(Mapcask db, CrashHarness.Oracle oracle) {
        Map<String, byte[]> model = new TreeMap<>();
        for (int i = 0; i < 70; i++) {
            String k = "k" + (i * 7 % 23);
            byte[] v = CrashHarness.value(k, oracle.writes.size());
            oracle.started(k, v);
            db.put(key(k), v);
            model.put(k, v);
            if (i % 20 == 19) {
                db.storeForTest().rotateForTest();
                db.sync();
                oracle.acknowledgeAll();
            }
        }
        return model;
    }

    /** The writes before the backup, the backup (its ops in {@code backupOps}), a write after it, close. */
    private static Map<String, byte[]> runWithBackup(SimFs fs, CrashHarness.Oracle oracle, long[] backupOps) {
        Mapcask db = Mapcask.open(fs, CrashHarness.DIR, CrashHarness.smallStore());
        Map<String, byte[]> model = writeBeforeBackup(db, oracle);
        backupOps[0] = fs.opCount();
        db.backup(SIM_DEST);
        backupOps[1] = fs.opCount();
        oracle.acknowledgeAll();
        byte[] v = CrashHarness.value("k1", oracle.writes.size());
        oracle.started("k1", v);
        db.put(key("k1"), v);
        db.close();
        oracle.acknowledgeAll();
        return model;
    }

    /** A run of {@link #runWithBackup}: the ops of the backup, and the store's contents at the backup. */
    private record Probe(List<SimOp> backupOps, Map<String, byte[]> model) {
        static Probe of(long seed) {
            SimFs fs = CrashHarness.fresh(seed);
            SimTrace trace = new SimTrace();
            fs.setHook(trace);
            long[] range = new long[2];
            Map<String, byte[]> model = runWithBackup(fs, new CrashHarness.Oracle(), range);
            List<SimOp> ops = trace.ops().stream().filter(op -> op.index() >= range[0] && op.index() < range[1]).toList();
            return new Probe(ops, model);
        }
    }

    @Test
    void shouldLeaveEitherNoStoreOrTheWholeBackupAfterACrashDuringIt() {
        long seed = TestSeeds.seed(11L);
        Probe probe = Probe.of(seed);
        Map<String, byte[]> model = probe.model();
        Random rnd = new Random(seed);
        int points = 0;
        int images = 0;
        int whole = 0;
        for (SimOp op : probe.backupOps()) {
            if (!op.kind().changesState()) {
                continue;
            }
            for (boolean after : new boolean[] {false, true}) {
                SimFs fs = CrashHarness.fresh(seed);
                fs.setHook(after ? SimHook.crashAfter(op.index()) : SimHook.crashBefore(op.index()));
                CrashHarness.Oracle oracle = new CrashHarness.Oracle();
                try {
                    runWithBackup(fs, oracle, new long[2]);
                    fail("no crash at " + op);
                } catch (SimulatedCrash expected) {
                    points++;
                }
                String where = "seed " + seed + ", crash " + (after ? "after " : "before ") + op;
                for (SimFs image : CrashHarness.images(fs.crashState(), rnd)) {
                    whole += checkBackupImage(image, model, where) ? 1 : 0;
                    CrashHarness.checkImage(image, oracle, where + " (the store itself)", CrashHarness.smallStore());
                    images++;
                }
            }
        }
        System.out.println("crash during backup: " + points + " crash points, " + images + " images, " + whole
                + " with the whole backup, the rest with no store at the destination");
        assertTrue(points >= 20 && whole > 0 && whole < images, points + " points, " + whole + "/" + images);
    }

    /** @return true when the image holds the whole backup; false when it holds no store at the destination */
    private static boolean checkBackupImage(SimFs image, Map<String, byte[]> model, String where) {
        if (image.exists(SIM_DEST.resolve(FileNames.CURRENT))) {
            try (Mapcask backup = Mapcask.open(image, SIM_DEST, CrashHarness.smallStore())) {
                StoreModel.assertHolds(backup, model, "the backup after a crash (" + where + ")");
            }
            return true;
        }
        try {
            if (!image.exists(SIM_DEST) || image.list(SIM_DEST).isEmpty()) {
                return false; // nothing there, or an empty directory: no store either
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        MapcaskException e = assertThrows(MapcaskException.class,
                () -> Mapcask.open(image, SIM_DEST, CrashHarness.smallStore()).close(),
                "a half-made backup must not open as a store (" + where + ")");
        assertTrue(e.getMessage().contains("refusing to open"), where + ": " + e.getMessage());
        return false;
    }

    @Test
    void shouldRemoveAFailedBackupAndKeepTheStoreWritableUnlessItsOwnSyncFailed() throws IOException {
        long seed = TestSeeds.seed(12L);
        Probe probe = Probe.of(seed);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (SimOp op : probe.backupOps()) {
            if (!op.kind().canFail()) {
                continue;
            }
            SimFs fs = CrashHarness.fresh(seed);
            fs.setHook(SimHook.failAt(op.index(), SimFault.EIO));
            String where = "seed " + seed + ", EIO at " + op;
            Mapcask db = Mapcask.open(fs, CrashHarness.DIR, CrashHarness.smallStore());
            writeBeforeBackup(db, new CrashHarness.Oracle());
            try {
                db.backup(SIM_DEST);
                // Only a failed link may be absorbed: the segment is copied instead.
                assertEquals(SimOpKind.LINK, op.kind(), where + ": the backup succeeded");
                outcomes.merge("link failed, copied instead", 1, Integer::sum);
            } catch (MapcaskIOException e) {
                assertFalse(fs.exists(SIM_DEST) && !fs.list(SIM_DEST).isEmpty(),
                        where + ": the failed backup left " + (fs.exists(SIM_DEST) ? fs.list(SIM_DEST) : ""));
                if (e.getMessage().contains("sync before the backup")) {
                    outcomes.merge("the store's own sync failed: fail-stop", 1, Integer::sum);
                    assertThrows(MapcaskIOException.class, () -> db.put(key("k1"), new byte[1]), where);
                } else {
                    outcomes.merge("backup removed, store writable", 1, Integer::sum);
                    db.put(key("k1"), new byte[1]);
                    db.sync();
                }
            }
            db.abandon();
            if (checkBackupImage(fs.crashState().allVolatileImage(), probe.model(), where)) {
                assertEquals(SimOpKind.LINK, op.kind(), where + ": a failed backup left a store");
            }
        }
        System.out.println("IO errors during backup: " + outcomes);
        assertTrue(outcomes.getOrDefault("backup removed, store writable", 0) >= 10
                && outcomes.containsKey("link failed, copied instead")
                && outcomes.containsKey("the store's own sync failed: fail-stop"), outcomes.toString());
    }
}
