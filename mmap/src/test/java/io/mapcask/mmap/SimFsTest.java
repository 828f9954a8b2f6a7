package io.mapcask.mmap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimFsTest {

    static final int PAGE = SimFs.PAGE_SIZE;
    static final Path DIR = Path.of("/db");

    SimFs fs;

    @BeforeEach
    void setUp() throws IOException {
        fs = new SimFs(42);
        fs.createDirectories(DIR);
        fs.syncAll();
    }

    // ------------------------------------------------------------------ helpers

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(UTF_8));
    }

    static byte[] pageOf(char c) {
        byte[] b = new byte[PAGE];
        Arrays.fill(b, (byte) c);
        return b;
    }

    /** The whole content of {@code file} in {@code sim}, or null when it does not exist. */
    static byte[] content(SimFs sim, Path file) throws IOException {
        if (!sim.exists(file)) {
            return null;
        }
        try (FileHandle h = sim.openReadOnly(file)) {
            return h.readAll().toArray(ValueLayout.JAVA_BYTE);
        }
    }

    static String text(SimFs sim, Path file) throws IOException {
        byte[] b = content(sim, file);
        return b == null ? null : new String(b, UTF_8);
    }

    /** Creates {@code name} with {@code s}, synced, its name durable. */
    Path durableFile(String name, String s) throws IOException {
        Path f = DIR.resolve(name);
        try (FileHandle h = fs.open(f, true)) {
            h.write(bytes(s), 0);
            h.sync();
        }
        fs.syncDirectory(DIR);
        return f;
    }

    // ------------------------------------------------------------------ file contents

    @Test
    void unsyncedWriteIsLostInDurableImageAndKeptInAllVolatileImage() throws IOException {
        Path f = durableFile("a", "hello");
        try (FileHandle h = fs.open(f, false)) {
            h.write(bytes("world"), 0);
        }
        CrashState state = fs.crashState();
        assertEquals(1, state.unitCount(), state.toString());
        assertEquals(VolatileUnit.Kind.PAGE, state.units().get(0).kind());
        assertEquals("hello", text(state.durableImage(), f));
        assertEquals("world", text(state.allVolatileImage(), f));
        assertEquals("hello", text(fs.crashImage(CrashPolicy.durableOnly(), new Random(1)), f));
        assertEquals("world", text(fs.crashImage(CrashPolicy.allVolatile(), new Random(1)), f));
        assertEquals("world", text(fs, f), "the running process sees its write");
    }

    @Test
    void syncMakesContentAndSizeDurable() throws IOException {
        Path f = durableFile("a", "hello");
        try (FileHandle h = fs.open(f, false)) {
            h.write(bytes(" world"), 5);
            assertEquals(2, fs.volatileUnitCount(), "one page and the size");
            h.sync();
        }
        assertEquals(0, fs.volatileUnitCount());
        assertEquals("hello world", text(fs.crashState().durableImage(), f));
    }

    @Test
    void unsyncedGrowthAndShrinkAreSizeUnits() throws IOException {
        Path f = durableFile("a", "0123456789");
        try (FileHandle h = fs.open(f, false)) {
            h.truncate(4);
        }
        CrashState s = fs.crashState();
        List<VolatileUnit.Kind> kinds = s.units().stream().map(VolatileUnit::kind).toList();
        assertEquals(List.of(VolatileUnit.Kind.PAGE, VolatileUnit.Kind.SIZE), kinds, s.toString());
        assertEquals("0123456789", text(s.durableImage(), f));
        assertEquals("0123", text(s.allVolatileImage(), f));
        // size kept, zeroed tail page not: the old bytes past the size are simply cut off
        assertEquals("0123", text(s.image(0b10), f));
        // page kept, size not: the zeroed tail of the page reached the disk, the size did not
        assertArrayEquals(new byte[] {'0', '1', '2', '3', 0, 0, 0, 0, 0, 0}, content(s.image(0b01), f));
    }

    @Test
    void forceOfMappedRangePersistsOnlyItsPages() throws IOException {
        Path f = DIR.resolve("seg");
        MappedRegion r;
        try (FileHandle h = fs.open(f, true)) {
            h.allocate(4 * PAGE);
            h.sync();
            r = h.map(0, 4 * PAGE, true);
        }
        fs.syncDirectory(DIR);
        MemorySegment s = r.segment();
        for (int p = 0; p < 4; p++) {
            s.set(ValueLayout.JAVA_BYTE, (long) p * PAGE + 7, (byte) ('A' + p));
        }
        assertEquals(4, fs.dirtyPageCount(f), "mapped writes are seen as dirty pages without any op");
        long before = fs.opCount();
        r.force(PAGE + 100, 10); // inside page 1 only
        assertEquals(before + 1, fs.opCount());
        assertEquals(3, fs.dirtyPageCount(f));
        byte[] durable = content(fs.crashState().durableImage(), f);
        assertEquals(4 * PAGE, durable.length);
        assertEquals('B', durable[PAGE + 7]);
        assertEquals(0, durable[7]);
        assertEquals(0, durable[2 * PAGE + 7]);
        assertEquals(0, durable[3 * PAGE + 7]);
        r.force(3 * PAGE - 1, 2); // straddles pages 2 and 3
        assertEquals(1, fs.dirtyPageCount(f));
        durable = content(fs.crashState().durableImage(), f);
        assertEquals('C', durable[2 * PAGE + 7]);
        assertEquals('D', durable[3 * PAGE + 7]);
        assertEquals(0, durable[7], "page 0 was never forced");
        r.close();
    }

    @Test
    void forceDoesNotPersistTheSizeButSyncDoes() throws IOException {
        Path f = DIR.resolve("seg");
        try (FileHandle h = fs.open(f, true)) {
            h.allocate(2 * PAGE);
            try (MappedRegion r = h.map(0, 2 * PAGE, true)) {
                r.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                r.force(0, 2 * PAGE);
            }
            fs.syncDirectory(DIR);
            CrashState s = fs.crashState();
            assertEquals(1, s.unitCount(), s.toString());
            assertEquals(VolatileUnit.Kind.SIZE, s.units().get(0).kind());
            assertEquals(0, content(s.durableImage(), f).length);
            byte[] grown = content(s.allVolatileImage(), f);
            assertEquals(2 * PAGE, grown.length);
            assertEquals(1, grown[0], "the forced page is there once the size is");
            h.sync();
        }
        assertEquals(2 * PAGE, content(fs.crashState().durableImage(), f).length);
    }

    // ------------------------------------------------------------------ names

    @Test
    void fsyncedFileWithoutDirectorySyncIsAbsentInDurableImage() throws IOException {
        Path f = DIR.resolve("new");
        try (FileHandle h = fs.open(f, true)) {
            h.write(bytes("data"), 0);
            h.sync();
        }
        CrashState s = fs.crashState();
        assertEquals(1, s.unitCount(), s.toString());
        assertEquals(VolatileUnit.Kind.ENTRY, s.units().get(0).kind());
        assertNull(content(s.durableImage(), f));
        assertEquals("data", text(s.allVolatileImage(), f));
        fs.syncDirectory(DIR);
        assertEquals("data", text(fs.crashState().durableImage(), f));
    }

    @Test
    void linkIsAVolatileNameUntilItsDirectoryIsSyncedAndSharesTheFile() throws IOException {
        Path f = durableFile("000001.data", "records");
        Path other = Path.of("/backup");
        fs.createDirectories(other);
        fs.syncDirectory(other.getParent());
        Path link = other.resolve("000001.data");
        fs.link(f, link);
        CrashState s = fs.crashState();
        assertEquals(1, s.unitCount(), s.toString());
        assertEquals(VolatileUnit.Kind.ENTRY, s.units().get(0).kind());
        assertNull(content(s.durableImage(), link));
        assertEquals("records", text(s.allVolatileImage(), link));
        fs.syncDirectory(other);
        SimFs image = fs.crashState().durableImage();
        assertEquals("records", text(image, link));
        try (FileHandle h = image.open(f, false)) {
            h.write(bytes("R"), 0);
        }
        assertEquals("Records", text(image, link), "in an image the two names still reach one file");
    }

    @Test
    void renameWithoutDirectorySyncMayOrMayNotSurvive() throws IOException {
        Path current = durableFile("CURRENT", "old");
        Path tmp = DIR.resolve("CURRENT.tmp");
        try (FileHandle h = fs.open(tmp, true)) {
            h.write(bytes("new"), 0);
            h.sync();
        }
        fs.rename(tmp, current);
        CrashState s = fs.crashState();
        assertEquals(2, s.unitCount(), "create of the temp name and the rename: " + s);
        Set<String> seen = new HashSet<>();
        List<SimFs> images = s.allImages().toList();
        assertEquals(4, images.size());
        for (SimFs image : images) {
            seen.add(text(image, current) + "/" + text(image, tmp));
        }
        // rename dropped (with or without the temp name), rename kept (the temp name is gone either way)
        assertEquals(Set.of("old/null", "old/new", "new/null"), seen);
        fs.syncDirectory(DIR);
        assertEquals("new", text(fs.crashState().durableImage(), current));
    }

    @Test
    void deleteWithoutDirectorySyncCanComeBack() throws IOException {
        Path f = durableFile("victim", "still here");
        fs.delete(f);
        assertFalse(fs.exists(f));
        CrashState s = fs.crashState();
        assertEquals(1, s.unitCount());
        assertEquals("still here", text(s.durableImage(), f));
        assertNull(content(s.allVolatileImage(), f));
        fs.syncDirectory(DIR);
        assertNull(content(fs.crashState().durableImage(), f));
    }

    @Test
    void fileWhoseDurableNameIsGoneIsUnreachableEvenWhileOpen() throws IOException {
        Path f = durableFile("gone", "x");
        try (FileHandle h = fs.open(f, false)) {
            fs.delete(f);
            fs.syncDirectory(DIR);
            h.write(bytes("yy"), 0);
            h.sync();
            CrashState s = fs.crashState();
            assertEquals(0, s.unitCount(), "pages of an unreachable file are no units: " + s);
            assertEquals(List.of(), s.allVolatileImage().list(DIR));
        }
    }

    @Test
    void directoriesBecomeDurableWhenTheirParentIsSynced() throws IOException {
        SimFs fresh = new SimFs(7);
        Path deep = Path.of("/a/b");
        fresh.createDirectories(deep);
        try (FileHandle h = fresh.open(deep.resolve("f"), true)) {
            h.write(bytes("f"), 0);
            h.sync();
        }
        fresh.syncDirectory(deep);
        assertFalse(fresh.crashState().durableImage().exists(deep), "mkdir of /a and /a/b not durable");
        fresh.syncDirectory(Path.of("/"));
        assertTrue(fresh.crashState().durableImage().exists(Path.of("/a")));
        assertFalse(fresh.crashState().durableImage().exists(deep));
        fresh.syncDirectory(Path.of("/a"));
        assertEquals("f", text(fresh.crashState().durableImage(), deep.resolve("f")));
    }

    @Test
    void directorySyncPersistsOnlyThatDirectory() throws IOException {
        Path other = Path.of("/other");
        fs.createDirectories(other);
        fs.syncDirectory(Path.of("/"));
        try (FileHandle h = fs.open(DIR.resolve("x"), true); FileHandle g = fs.open(other.resolve("y"), true)) {
            h.sync();
            g.sync();
        }
        fs.syncDirectory(DIR);
        SimFs image = fs.crashState().durableImage();
        assertTrue(image.exists(DIR.resolve("x")));
        assertFalse(image.exists(other.resolve("y")));
        assertEquals(1, fs.volatileUnitCount());
    }

    @Test
    void crossDirectoryRenameIsOneUnitAndSyncingEitherSideKeepsNamesConsistent() throws IOException {
        Path other = Path.of("/other");
        fs.createDirectories(other);
        fs.syncAll();
        Path f = durableFile("f", "v");
        fs.rename(f, other.resolve("g"));
        CrashState s = fs.crashState();
        assertEquals(1, s.unitCount());
        assertEquals("v", text(s.durableImage(), f));
        assertNull(content(s.allVolatileImage(), f));
        assertEquals("v", text(s.allVolatileImage(), other.resolve("g")));
        fs.syncDirectory(other);
        SimFs d = fs.crashState().durableImage();
        assertNull(content(d, f));
        assertEquals("v", text(d, other.resolve("g")));
    }

    // ------------------------------------------------------------------ ops, hooks, crashes

    /** A small workload: create, dir sync, write, sync, rename, dir sync. */
    static void workload(SimFs sim) throws IOException {
        Path f = DIR.resolve("w.tmp");
        try (FileHandle h = sim.open(f, true)) {
            sim.syncDirectory(DIR);
            h.write(bytes("payload"), 0);
            h.sync();
        }
        sim.rename(f, DIR.resolve("w"));
        sim.syncDirectory(DIR);
    }

    static SimFs freshDb(long seed) throws IOException {
        SimFs sim = new SimFs(seed);
        sim.createDirectories(DIR);
        sim.syncAll();
        return sim;
    }

    @Test
    void traceRecordsEveryOpWithIncreasingIndexes() throws IOException {
        SimFs sim = freshDb(1);
        SimTrace trace = new SimTrace();
        sim.setHook(trace);
        long start = sim.opCount();
        workload(sim);
        List<SimOpKind> kinds = trace.ops().stream().map(SimOp::kind).toList();
        assertEquals(List.of(SimOpKind.CREATE, SimOpKind.DIR_SYNC, SimOpKind.WRITE, SimOpKind.SYNC, SimOpKind.CLOSE,
                SimOpKind.RENAME, SimOpKind.DIR_SYNC), kinds);
        for (int i = 0; i < trace.size(); i++) {
            assertEquals(start + i, trace.ops().get(i).index());
        }
        assertEquals(2, trace.countsByKind().get(SimOpKind.DIR_SYNC));
        assertEquals(DIR.resolve("w"), trace.ops(SimOpKind.RENAME).get(0).target());
        assertTrue(trace.toString().contains("WRITE /db/w.tmp [0, 7)"), trace.toString());
    }

    @Test
    void crashBeforeAndAfterEachOp() throws IOException {
        SimFs probe = freshDb(1);
        SimTrace trace = new SimTrace();
        probe.setHook(trace);
        workload(probe);
        long syncOp = trace.ops(SimOpKind.SYNC).get(0).index();
        long renameOp = trace.ops(SimOpKind.RENAME).get(0).index();

        // before the SYNC: the name is durable, the data is not
        SimFs a = freshDb(1);
        a.setHook(SimHook.crashBefore(syncOp));
        assertThrows(SimulatedCrash.class, () -> workload(a));
        assertTrue(a.isCrashed());
        assertEquals("", text(a.crashState().durableImage(), DIR.resolve("w.tmp")));
        assertEquals("payload", text(a.crashState().allVolatileImage(), DIR.resolve("w.tmp")));

        // after the SYNC: data durable
        SimFs b = freshDb(1);
        b.setHook(SimHook.crashAfter(syncOp));
        assertThrows(SimulatedCrash.class, () -> workload(b));
        assertEquals("payload", text(b.crashState().durableImage(), DIR.resolve("w.tmp")));

        // after the RENAME, before its directory sync: either name
        SimFs c = freshDb(1);
        c.setHook(SimHook.crashAfter(renameOp));
        assertThrows(SimulatedCrash.class, () -> workload(c));
        CrashState s = c.crashState();
        assertEquals("payload", text(s.durableImage(), DIR.resolve("w.tmp")));
        assertNull(content(s.durableImage(), DIR.resolve("w")));
        assertEquals("payload", text(s.allVolatileImage(), DIR.resolve("w")));

        // every crash point yields states, and crashing at every op of the run is reproducible
        for (SimOp op : trace.ops()) {
            for (boolean after : new boolean[] {false, true}) {
                SimFs sim = freshDb(1);
                sim.setHook(after ? SimHook.crashAfter(op.index()) : SimHook.crashBefore(op.index()));
                assertThrows(SimulatedCrash.class, () -> workload(sim), op.toString());
                assertTrue(sim.crashState().unitCount() <= 3);
            }
        }
    }

    @Test
    void crashedFileSystemIsFrozen() throws IOException {
        Path f = DIR.resolve("seg");
        FileHandle h = fs.open(f, true);
        h.allocate(PAGE);
        MappedRegion r = h.map(0, PAGE, true);
        r.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 9);
        SimulatedCrash crash = fs.crash("power cut");
        assertSame(crash, fs.crash("again"), "idempotent");
        CrashState frozen = fs.crashState();
        assertSame(frozen, fs.crashState(), "the state is frozen at the crash");
        assertThrows(SimulatedCrash.class, () -> fs.exists(f));
        assertThrows(SimulatedCrash.class, () -> fs.list(DIR));
        assertThrows(SimulatedCrash.class, h::sync);
        assertThrows(SimulatedCrash.class, () -> r.force(0, 1));
        assertThrows(SimulatedCrash.class, fs::syncAll);
        assertThrows(IllegalStateException.class, () -> r.segment().get(ValueLayout.JAVA_BYTE, 0),
                "the process's mappings are gone");
        assertEquals(9, content(frozen.allVolatileImage(), f)[0]);
        SimFs next = frozen.allVolatileImage();
        assertFalse(next.isCrashed());
        assertEquals(0, next.opCount());
        next.delete(f); // the image is a live file system
    }

    @Test
    void crashStatesCanBeTakenAtEveryOpWithoutStopping() throws IOException {
        SimFs sim = freshDb(3);
        List<CrashState> states = new ArrayList<>();
        sim.setHook(new SimHook() {
            @Override
            public void after(SimFs f, SimOp op, IOException failure) {
                states.add(f.crashState());
            }
        });
        workload(sim);
        assertEquals(7, states.size());
        assertFalse(sim.isCrashed());
        assertEquals("payload", text(states.getLast().durableImage(), DIR.resolve("w")));
        assertNull(content(states.getFirst().durableImage(), DIR.resolve("w.tmp")), "after the create only");
        // create (name), dir sync, write (page + size), sync, close, rename (name), dir sync
        assertEquals(List.of(1, 0, 2, 0, 0, 1, 0), states.stream().map(CrashState::unitCount).toList());
    }

    @Test
    void injectedEioFailsTheOpAndChangesNothing() throws IOException {
        Path f = durableFile("a", "x");
        fs.setHook(SimHook.failNth(SimOpKind.RENAME, 0, SimFault.EIO));
        SimIOException e = assertThrows(SimIOException.class, () -> fs.rename(f, DIR.resolve("b")));
        assertEquals(SimFault.EIO, e.fault());
        assertTrue(e.injected());
        assertEquals(SimOpKind.RENAME, e.op().kind());
        assertTrue(e.getMessage().contains("EIO"), e.getMessage());
        assertTrue(fs.exists(f));
        assertFalse(fs.exists(DIR.resolve("b")));
        fs.rename(f, DIR.resolve("b")); // only the first rename fails
        assertTrue(fs.exists(DIR.resolve("b")));
    }

    @Test
    void failedDirectorySyncPersistsNothing() throws IOException {
        try (FileHandle h = fs.open(DIR.resolve("n"), true)) {
            h.sync();
        }
        fs.setHook(SimHook.failNth(SimOpKind.DIR_SYNC, 0, SimFault.EIO));
        assertThrows(SimIOException.class, () -> fs.syncDirectory(DIR));
        assertFalse(fs.crashState().durableImage().exists(DIR.resolve("n")));
        fs.syncDirectory(DIR);
        assertTrue(fs.crashState().durableImage().exists(DIR.resolve("n")));
    }

    @Test
    void enospcOnAllocateAndWrite() throws IOException {
        Path f = DIR.resolve("seg");
        try (FileHandle h = fs.open(f, true)) {
            fs.setHook(SimHook.failNth(SimOpKind.ALLOCATE, 0, SimFault.ENOSPC));
            SimIOException e = assertThrows(SimIOException.class, () -> h.allocate(4 * PAGE));
            assertTrue(e.getMessage().contains("ENOSPC"), e.getMessage());
            assertEquals(0, h.size(), "a failed allocate changes nothing");
            fs.setHook(SimHook.failNth(SimOpKind.WRITE, 0, SimFault.ENOSPC));
            assertThrows(SimIOException.class, () -> h.write(bytes("x"), 0));
            assertEquals(0, h.size(), "a failed write writes nothing");
            fs.setHook(null);
            h.allocate(4 * PAGE);
            assertEquals(4 * PAGE, h.size());
        }
    }

    @Test
    void spaceLimitMakesAllocateFailUntilSpaceReturns() throws IOException {
        durableFile("small", "x"); // one page
        fs.setSpaceLimit(4 * PAGE);
        Path f = DIR.resolve("seg");
        try (FileHandle h = fs.open(f, true)) {
            SimIOException e = assertThrows(SimIOException.class, () -> h.allocate(4 * PAGE));
            assertEquals(SimFault.ENOSPC, e.fault());
            assertFalse(e.injected());
            h.allocate(3 * PAGE);
            assertEquals(4L * PAGE, fs.spaceUsed());
            assertThrows(SimIOException.class, () -> h.write(bytes("y"), 3 * PAGE));
            h.write(bytes("y"), 2 * PAGE); // allocated already: no space needed
            fs.delete(DIR.resolve("small"));
            h.write(bytes("y"), 3 * PAGE);
        }
    }

    @Test
    void failedSyncLosesUnpersistedPagesForeverWhileTheProcessStillSeesThem() throws IOException {
        Path f = DIR.resolve("data");
        int pages = 16;
        try (FileHandle h = fs.open(f, true)) {
            for (int p = 0; p < pages; p++) {
                h.write(ByteBuffer.wrap(pageOf('o')), (long) p * PAGE);
            }
            h.sync();
            fs.syncDirectory(DIR);
            for (int p = 0; p < pages; p++) {
                h.write(ByteBuffer.wrap(pageOf('n')), (long) p * PAGE);
            }
            assertEquals(pages, fs.dirtyPageCount(f));
            fs.setHook(SimHook.failNth(SimOpKind.SYNC, 0, SimFault.EIO));
            assertThrows(SimIOException.class, h::sync);
            int lost = fs.lostPageCount(f);
            assertTrue(lost > 0 && lost < pages, "some pages persisted, some lost: " + lost);
            assertEquals(0, fs.dirtyPageCount(f), "lost pages are clean to the kernel");
            byte[] seen = h.readAll().toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < seen.length; i++) {
                assertEquals('n', seen[i], "the process still sees its data at " + i);
            }
            h.sync(); // a retry "succeeds" ...
            assertEquals(0, fs.volatileUnitCount(), "... with nothing left to write");
            byte[] disk = content(fs.crashState().durableImage(), f);
            int oldPages = 0;
            for (int p = 0; p < pages; p++) {
                if (disk[p * PAGE] == 'o') {
                    oldPages++;
                }
            }
            assertEquals(lost, oldPages, "the lost pages never reach the disk");
            assertEquals(lost, countPages(content(fs.crashState().allVolatileImage(), f), 'o'),
                    "not even in a process-crash image");

            // writing a lost page again makes it dirty, and the next sync writes the whole page
            int lostPage = firstPage(disk, 'o');
            h.write(bytes("N"), (long) lostPage * PAGE);
            assertEquals(1, fs.dirtyPageCount(f));
            h.sync();
            byte[] after = content(fs.crashState().durableImage(), f);
            assertEquals('N', after[lostPage * PAGE]);
            assertEquals('n', after[lostPage * PAGE + 1]);
            assertEquals(lost - 1, fs.lostPageCount(f));
        }
    }

    @Test
    void failedForceLosesPagesOfItsRangeOnly() throws IOException {
        Path f = DIR.resolve("seg");
        try (FileHandle h = fs.open(f, true)) {
            h.allocate(8 * PAGE);
            h.sync();
            fs.syncDirectory(DIR);
            try (MappedRegion r = h.map(0, 8 * PAGE, true)) {
                for (int p = 0; p < 8; p++) {
                    r.segment().asSlice((long) p * PAGE, PAGE).fill((byte) 'n');
                }
                fs.setHook(SimHook.failNth(SimOpKind.FORCE, 0, SimFault.EIO));
                assertThrows(SimIOException.class, () -> r.force(0, 4 * PAGE));
                int lost = fs.lostPageCount(f);
                assertTrue(lost > 0, "seed 42 loses some pages");
                assertEquals(4, fs.dirtyPageCount(f), "pages 4..7 were outside the failed range");
                r.force(0, 8 * PAGE);
                assertEquals(lost, countPages(content(fs.crashState().durableImage(), f), (char) 0));
                // the process still sees its bytes, and a mapped write re-dirties a lost page
                assertEquals('n', r.segment().get(ValueLayout.JAVA_BYTE, 0));
                r.segment().asSlice(0, 4 * PAGE).fill((byte) 'm');
                assertEquals(4, fs.dirtyPageCount(f));
            }
        }
    }

    @Test
    void failedSyncOutcomeIsDeterministicPerSeed() throws IOException {
        List<String> outcomes = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            SimFs sim = freshDb(99);
            Path f = DIR.resolve("d");
            try (FileHandle h = sim.open(f, true)) {
                for (int p = 0; p < 16; p++) {
                    h.write(ByteBuffer.wrap(pageOf('n')), (long) p * PAGE);
                }
                sim.setHook(SimHook.failNth(SimOpKind.SYNC, 0, SimFault.EIO));
                assertThrows(SimIOException.class, h::sync);
            }
            sim.syncDirectory(DIR);
            byte[] disk = content(sim.crashState().allVolatileImage(), f);
            StringBuilder sb = new StringBuilder();
            for (int p = 0; p < 16; p++) {
                sb.append(disk.length > p * PAGE && disk[p * PAGE] == 'n' ? '1' : '0');
            }
            outcomes.add(sb.toString());
        }
        assertEquals(outcomes.get(0), outcomes.get(1));
    }

    // ------------------------------------------------------------------ mappings

    @Test
    void mapPastAllocationFails() throws IOException {
        Path f = DIR.resolve("seg");
        try (FileHandle h = fs.open(f, true)) {
            h.allocate(2 * PAGE);
            IOException e = assertThrows(IOException.class, () -> h.map(0, 3 * PAGE, true));
            assertTrue(e.getMessage().contains("past the end"), e.getMessage());
            assertThrows(IOException.class, () -> h.map(0, 3 * PAGE, false));
            h.truncate(4 * PAGE); // a hole: pages 2 and 3 are not allocated
            e = assertThrows(IOException.class, () -> h.map(0, 4 * PAGE, true));
            assertTrue(e.getMessage().contains("not allocated"), e.getMessage());
            try (MappedRegion ro = h.map(0, 4 * PAGE, false)) {
                assertEquals(0, ro.segment().get(ValueLayout.JAVA_BYTE, 3 * PAGE + 1));
            }
            try (MappedRegion rw = h.map(PAGE, PAGE, true)) {
                assertThrows(IndexOutOfBoundsException.class, () -> rw.segment().get(ValueLayout.JAVA_BYTE, PAGE));
            }
            h.allocate(4 * PAGE);
            h.map(0, 4 * PAGE, true).close();
        }
    }

    @Test
    void mappingIsPageAlignedAndSupportsAlignedLongAccess() throws IOException {
        try (FileHandle h = fs.open(DIR.resolve("seg"), true)) {
            h.allocate(PAGE);
            try (MappedRegion r = h.map(0, PAGE, true)) {
                assertEquals(0, r.segment().address() % PAGE);
                r.segment().set(ValueLayout.JAVA_LONG, 8, -1L);
                assertEquals(-1L, r.segment().get(ValueLayout.JAVA_LONG, 8));
            }
        }
    }

    @Test
    void mappedFileCannotOutgrowItsBacking() throws IOException {
        try (FileHandle h = fs.open(DIR.resolve("seg"), true)) {
            h.allocate(PAGE);
            try (MappedRegion r = h.map(0, PAGE, true)) {
                IOException e = assertThrows(IOException.class, () -> h.allocate(64 * PAGE));
                assertTrue(e.getMessage().contains("mapped"), e.getMessage());
                r.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            }
            h.allocate(64 * PAGE); // fine once unmapped
            assertEquals(1, h.readAll().get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    // ------------------------------------------------------------------ enumeration and policies

    /** A state with 3 dirty pages of one file, its size change, and 2 entry operations. */
    CrashState sixUnits() throws IOException {
        Path f = durableFile("a", "x");
        try (FileHandle h = fs.open(f, false)) {
            h.write(ByteBuffer.wrap(new byte[3 * PAGE]).put(0, (byte) 'a').put(PAGE, (byte) 'b').put(2 * PAGE, (byte) 'c'), 0);
        }
        try (FileHandle h = fs.open(DIR.resolve("b"), true)) {
            h.sync();
        }
        fs.delete(DIR.resolve("a-not-there"));
        fs.rename(DIR.resolve("b"), DIR.resolve("c"));
        return fs.crashState();
    }

    @Test
    void subsetEnumerationYieldsTwoToTheNImages() throws IOException {
        CrashState s = sixUnits();
        assertEquals(6, s.unitCount(), s.toString());
        assertEquals(List.of(VolatileUnit.Kind.PAGE, VolatileUnit.Kind.PAGE, VolatileUnit.Kind.PAGE,
                VolatileUnit.Kind.SIZE, VolatileUnit.Kind.ENTRY, VolatileUnit.Kind.ENTRY),
                s.units().stream().map(VolatileUnit::kind).toList());
        Set<String> distinct = new HashSet<>();
        List<SimFs> images = s.allImages().toList();
        assertEquals(64, images.size());
        for (SimFs image : images) {
            distinct.add(Arrays.toString(content(image, DIR.resolve("a"))) + image.list(DIR));
        }
        // file a: without the size unit only byte 0 shows ('x' or 'a'): 2 states; with it, 2^3
        // page combinations: 8. Names: neither entry, create b only, rename (with or without the
        // create): [a], [a, b], [a, c]. 10 * 3 distinct images.
        assertEquals(10 * 3, distinct.size());
        assertArrayEquals(content(s.durableImage(), DIR.resolve("a")), content(images.getFirst(), DIR.resolve("a")));
        assertArrayEquals(content(s.allVolatileImage(), DIR.resolve("a")), content(images.getLast(), DIR.resolve("a")));
        assertEquals(6, s.imagesAllButOne().count());
        assertEquals(6, s.imagesOnlyOne().count());
    }

    @Test
    void enumerationRefusesTooManyUnits() throws IOException {
        try (FileHandle h = fs.open(DIR.resolve("big"), true)) {
            h.write(ByteBuffer.wrap(new byte[20 * PAGE]).put(0, (byte) 1), 0);
            for (int p = 0; p < 20; p++) {
                h.write(bytes("z"), (long) p * PAGE);
            }
        }
        CrashState s = fs.crashState();
        assertEquals(22, s.unitCount());
        assertThrows(IllegalStateException.class, s::allImages);
    }

    @Test
    void policiesChooseTheDocumentedSubsets() throws IOException {
        CrashState s = sixUnits();
        Random rnd = new Random(5);
        assertEquals(0, CrashPolicy.durableOnly().choose(s, rnd).cardinality());
        assertEquals(6, CrashPolicy.allVolatile().choose(s, rnd).cardinality());
        for (int i = 0; i < 50; i++) {
            assertEquals(5, CrashPolicy.allButOne().choose(s, rnd).cardinality());
            assertEquals(1, CrashPolicy.onlyOne().choose(s, rnd).cardinality());
            BitSet prefix = CrashPolicy.prefixPerFile().choose(s, rnd);
            // page units 0..2 of the file: a prefix
            int k = prefix.get(0, 3).cardinality();
            assertEquals(k, prefix.get(0, 3).nextClearBit(0), "pages kept form a prefix: " + prefix);
            // entry units 4, 5: a prefix too
            assertFalse(prefix.get(5) && !prefix.get(4), "entries kept form a prefix: " + prefix);
        }
        assertEquals(0, CrashPolicy.probability(0).choose(s, rnd).cardinality());
        assertEquals(6, CrashPolicy.probability(1).choose(s, rnd).cardinality());
        assertThrows(IllegalArgumentException.class, () -> CrashPolicy.probability(1.5));
        for (CrashPolicy p : CrashPolicy.standard()) {
            SimFs image = s.image(p, new Random(9));
            assertTrue(image.exists(DIR.resolve("a")), p.toString());
        }
        assertEquals("all-but-one+torn-sectors", CrashPolicy.allButOne().withTornPage(TornPage.SECTORS).toString());
    }

    @Test
    void sameSeedSameImage() throws IOException {
        CrashState s = sixUnits();
        CrashPolicy p = CrashPolicy.probability(0.5).withTornPage(TornPage.SECTORS);
        for (int seed = 0; seed < 10; seed++) {
            SimFs x = s.image(p, new Random(seed));
            SimFs y = s.image(p, new Random(seed));
            assertArrayEquals(content(x, DIR.resolve("a")), content(y, DIR.resolve("a")));
            assertEquals(x.list(DIR), y.list(DIR));
        }
    }

    // ------------------------------------------------------------------ torn pages

    /** One file, one durable page of 'o', rewritten live with 'n' in sectors 1, 2 and 5 only. */
    CrashState onePageRewrite() throws IOException {
        Path f = DIR.resolve("t");
        try (FileHandle h = fs.open(f, true)) {
            h.write(ByteBuffer.wrap(pageOf('o')), 0);
            h.sync();
            fs.syncDirectory(DIR);
            byte[] sector = new byte[SimFs.SECTOR_SIZE];
            Arrays.fill(sector, (byte) 'n');
            for (int s : new int[] {1, 2, 5}) {
                h.write(ByteBuffer.wrap(sector), (long) s * SimFs.SECTOR_SIZE);
            }
        }
        CrashState s = fs.crashState();
        assertEquals(1, s.unitCount());
        return s;
    }

    static char sectorChar(byte[] page, int s) {
        byte first = page[s * SimFs.SECTOR_SIZE];
        for (int i = 0; i < SimFs.SECTOR_SIZE; i++) {
            if (page[s * SimFs.SECTOR_SIZE + i] != first) {
                return '?';
            }
        }
        return (char) first;
    }

    static String sectors(byte[] page) {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < PAGE / SimFs.SECTOR_SIZE; s++) {
            char c = sectorChar(page, s);
            sb.append(c == 'o' || c == 'n' ? c : '?');
        }
        return sb.toString();
    }

    @Test
    void tornSectorsAreEachOldOrNewAndUnchangedSectorsAreIntact() throws IOException {
        CrashState s = onePageRewrite();
        BitSet keep = new BitSet();
        keep.set(0);
        Set<String> seen = new HashSet<>();
        Random rnd = new Random(3);
        for (int i = 0; i < 200; i++) {
            String pattern = sectors(content(s.image(keep, 0, TornPage.SECTORS, rnd), DIR.resolve("t")));
            assertTrue(pattern.matches("o[on][on]oo[on]oo"), pattern);
            seen.add(pattern);
        }
        assertEquals(8, seen.size(), "every combination of the 3 changed sectors: " + seen);
    }

    @Test
    void tornPrefixAndSuffix() throws IOException {
        CrashState s = onePageRewrite();
        BitSet keep = new BitSet();
        keep.set(0);
        Random rnd = new Random(4);
        Set<String> prefixes = new HashSet<>();
        Set<String> suffixes = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            prefixes.add(sectors(content(s.image(keep, 0, TornPage.PREFIX, rnd), DIR.resolve("t"))));
            suffixes.add(sectors(content(s.image(keep, 0, TornPage.SUFFIX, rnd), DIR.resolve("t"))));
        }
        // new sectors 1, 2, 5: a prefix of k in 1..7 sectors new
        assertEquals(Set.of("oooooooo", "onoooooo", "onnooooo", "onnoonoo"), prefixes);
        assertEquals(Set.of("oooooooo", "ooooonoo", "oonoonoo", "onnoonoo"), suffixes);
    }

    @Test
    void tornGarbageHitsOnlyChangedSectorsUnlessHostile() throws IOException {
        CrashState s = onePageRewrite();
        BitSet keep = new BitSet();
        keep.set(0);
        byte[] g = content(s.image(keep, 0, TornPage.GARBAGE, new Random(5)), DIR.resolve("t"));
        assertEquals("o??oo?oo", sectors(g));
        byte[] h = content(s.image(keep, 0, TornPage.HOSTILE, new Random(5)), DIR.resolve("t"));
        assertEquals("????????", sectors(h));
    }

    @Test
    void tornWordsAreEachOldOrNewAndGarbageSparesUnchangedBytes() throws IOException {
        Path f = DIR.resolve("w");
        byte[] old = new byte[PAGE];
        for (int i = 0; i < PAGE; i++) {
            old[i] = (byte) (i % 100);
        }
        try (FileHandle h = fs.open(f, true)) {
            h.write(ByteBuffer.wrap(old), 0);
            h.sync();
            fs.syncDirectory(DIR);
            h.write(ByteBuffer.wrap(new byte[] {(byte) 200, (byte) 201, (byte) 202}), 13); // word 1, bytes 5..7
            h.write(ByteBuffer.wrap(new byte[] {(byte) 210}), 16); // word 2, byte 0
        }
        CrashState s = fs.crashState();
        BitSet keep = new BitSet();
        keep.set(0);
        Set<String> words = new HashSet<>();
        Random rnd = new Random(6);
        for (int i = 0; i < 100; i++) {
            byte[] c = content(s.image(keep, 0, TornPage.WORDS, rnd), f);
            String w1 = c[13] == old[13] ? "o" : "n";
            String w2 = c[16] == old[16] ? "o" : "n";
            assertEquals(c[13] == old[13], c[15] == old[15], "a word is old or new as a whole");
            words.add(w1 + w2);
            byte[] g = content(s.image(keep, 0, TornPage.GARBAGE, rnd), f);
            for (int j = 0; j < PAGE; j++) {
                if (j != 13 && j != 14 && j != 15 && j != 16) {
                    assertEquals(old[j], g[j], "unchanged byte " + j);
                    assertEquals(old[j], c[j], "unchanged byte " + j);
                }
            }
        }
        assertEquals(Set.of("oo", "on", "no", "nn"), words);
    }

    @Test
    void tornZerosForGrownSize() throws IOException {
        Path f = durableFile("g", "abc");
        try (FileHandle h = fs.open(f, false)) {
            h.write(bytes("defgh"), 3);
        }
        CrashState s = fs.crashState();
        assertEquals(2, s.unitCount(), s.toString());
        BitSet keep = new BitSet();
        keep.set(0); // the page only; the tear forces the size
        byte[] torn = content(s.image(keep, 0, TornPage.ZEROS_GROWN, new Random(1)), f);
        assertArrayEquals(new byte[] {'a', 'b', 'c', 0, 0, 0, 0, 0}, torn);
        assertThrows(IllegalArgumentException.class, () -> s.image(keep, 1, TornPage.SECTORS, new Random(1)));
    }

    @Test
    void tornPolicyTearsAKeptPage() throws IOException {
        CrashState s = onePageRewrite();
        Set<String> seen = new HashSet<>();
        Random rnd = new Random(8);
        for (int i = 0; i < 100; i++) {
            seen.add(sectors(content(s.image(CrashPolicy.allVolatile().withTornPage(TornPage.SECTORS), rnd), DIR.resolve("t"))));
        }
        assertTrue(seen.size() > 2, seen.toString());
        String durableOnly = sectors(content(s.image(CrashPolicy.durableOnly().withTornPage(TornPage.HOSTILE), rnd),
                DIR.resolve("t")));
        assertEquals("oooooooo", durableOnly, "nothing kept, nothing torn");
    }

    // ------------------------------------------------------------------ misc

    @Test
    void pathsAreNormalized() throws IOException {
        try (FileHandle h = fs.open(Path.of("/db/./sub/../x"), true)) {
            h.write(bytes("1"), 0);
        }
        assertTrue(fs.exists(Path.of("/db/x")));
        assertEquals(List.of("x"), fs.list(Path.of("/db/")));
    }

    @Test
    void toStringDescribesState() throws IOException {
        durableFile("a", "x");
        fs.delete(DIR.resolve("a"));
        assertTrue(fs.toString().contains("pending: unlink /db/a"), fs.toString());
        assertTrue(fs.crashState().toString().contains("unlink /db/a"));
        assertNotEquals("", fs.crashState().units().get(0).toString());
        assertEquals(Set.of("unlink /db/a"),
                fs.crashState().units().stream().map(VolatileUnit::toString).collect(Collectors.toSet()));
    }

    static int countPages(byte[] data, char c) {
        int n = 0;
        for (int p = 0; p * PAGE < data.length; p++) {
            if (data[p * PAGE] == (byte) c) {
                n++;
            }
        }
        return n;
    }

    static int firstPage(byte[] data, char c) {
        for (int p = 0; p * PAGE < data.length; p++) {
            if (data[p * PAGE] == (byte) c) {
                return p;
            }
        }
        return -1;
    }
}
