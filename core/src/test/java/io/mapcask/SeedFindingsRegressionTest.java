package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.mmap.CrashState;
import io.mapcask.mmap.FileHandle;
import io.mapcask.mmap.SimFs;
import io.mapcask.mmap.SimHook;
import io.mapcask.mmap.SimOp;
import io.mapcask.mmap.SimOpKind;
import io.mapcask.mmap.SimulatedCrash;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The five ways the engines Mapcask descends from lost data, each a permanent regression test
 * named for it. All run on {@link SimFs}, crashing at the exact moment that hurt them.
 */
class SeedFindingsRegressionTest {
    private static final Path DIR = CrashHarness.DIR;
    private static final MapcaskOptions OPTIONS = CrashHarness.smallStore();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Crashes right after the first op that {@code match} accepts. */
    private static SimHook crashAfterFirst(Predicate<SimOp> match) {
        return crashAfterNth(match, 1);
    }

    /** Crashes right after the {@code n}-th op that {@code match} accepts. */
    private static SimHook crashAfterNth(Predicate<SimOp> match, int n) {
        return new SimHook() {
            private int seen;

            @Override
            public void after(SimFs fs, SimOp op, IOException failure) {
                if (match.test(op) && ++seen == n) {
                    throw new SimulatedCrash("simulated crash after " + op);
                }
            }
        };
    }

    private static Predicate<SimOp> op(SimOpKind kind, String fileName) {
        return o -> o.kind() == kind && o.path() != null && o.path().getFileName().toString().equals(fileName);
    }

    /** Three segments: a=1, b=1 | a=2 | c=1 (all synced), then a compaction, crashing where {@code hook} says. */
    private static CrashState compactAndCrash(SimHook hook) {
        SimFs fs = CrashHarness.fresh(11);
        Mapcask db = Mapcask.open(fs, DIR, OPTIONS);
        db.put(b("a"), b("a1"));
        db.put(b("b"), b("b1"));
        db.storeForTest().rotateForTest();
        db.put(b("a"), b("a2"));
        db.storeForTest().rotateForTest();
        db.put(b("c"), b("c1"));
        db.sync();
        fs.setHook(hook);
        try {
            db.compact();
            throw new AssertionError("the compaction did not reach the crash point");
        } catch (SimulatedCrash expected) {
            return fs.crashState();
        }
    }

    private static void assertCommittedData(SimFs image) {
        try (Mapcask db = Mapcask.open(image, DIR, OPTIONS)) {
            assertArrayEquals(b("a2"), db.get(b("a")));
            assertArrayEquals(b("b1"), db.get(b("b")));
            assertArrayEquals(b("c1"), db.get(b("c")));
        }
    }

    @Test
    void shouldNotLoseDataWhenOldSegmentsAreDeletedBeforeTheMergedOneIsDurable() {
        // The seed engines unlinked inputs right after writing the output, before it was durable.
        // Mapcask unlinks only after the commit, which follows the output's fsync and a directory
        // fsync: crash right after the first unlink, with power lost (durable state only).
        CrashState state = compactAndCrash(crashAfterFirst(op(SimOpKind.DELETE, "000001.data")));
        assertCommittedData(state.durableImage());
        assertCommittedData(state.allVolatileImage());
    }

    @Test
    void shouldNotMakeAStrayDataFileLiveJustBecauseItIsInTheDirectory() throws IOException {
        // The seed engines found segments by listing the directory.
        SimFs fs = CrashHarness.fresh(12);
        try (Mapcask db = Mapcask.open(fs, DIR, OPTIONS)) {
            db.put(b("k"), b("committed"));
        }
        // A stray, CRC-valid segment (as a compaction output, never committed) holding another value of k.
        Path stray = DIR.resolve("000099.data");
        byte[] segment = strayCompactionOutput(99, b("k"), b("stray"));
        try (FileHandle h = fs.open(stray, true)) {
            h.write(ByteBuffer.wrap(segment), 0);
            h.sync();
        }
        fs.syncDirectory(DIR);
        try (Mapcask db = Mapcask.open(fs, DIR, OPTIONS)) {
            assertArrayEquals(b("committed"), db.get(b("k")));
        }
        assertFalse(fs.exists(stray), "a file no edit names is deleted");
    }

    @Test
    void shouldNotLetAnOrphanHintDirectReadsWhenACrashFallsBetweenDeletingADataFileAndItsHint() {
        // Crash after the input's data file is unlinked and before its hint is.
        CrashState state = compactAndCrash(crashAfterFirst(op(SimOpKind.DELETE, "000001.data")));
        SimFs image = state.allVolatileImage();
        assertTrue(image.exists(DIR.resolve("000001.hint")) && !image.exists(DIR.resolve("000001.data")),
                "the image should hold the orphan hint without its segment");
        assertCommittedData(image);
        assertFalse(image.exists(DIR.resolve("000001.hint")), "recovery deletes the orphan hint");
    }

    @Test
    void shouldLetTheManifestAndSequencesDecideWhenCompactionInputAndOutputBothExist() {
        // Crash after the commit (the second manifest fsync of compact(): the first seals the
        // active segment), before any unlink: inputs and output are all on disk.
        CrashState state = compactAndCrash(crashAfterNth(o -> o.kind() == SimOpKind.SYNC && o.path() != null
                && o.path().getFileName().toString().startsWith("MANIFEST"), 2));
        SimFs image = state.durableImage();
        assertTrue(image.exists(DIR.resolve("000001.data")) && image.exists(DIR.resolve("000002.data")),
                "the inputs should still be there");
        assertCommittedData(image);
        assertFalse(image.exists(DIR.resolve("000001.data")), "inputs the committed edit removed are deleted");
    }

    @Test
    void shouldTrustTheCommittedFileSetNotEveryFileWithValidCrcs() {
        // Crash after the compaction output and its hint are complete and fsynced, before the
        // commit: every CRC in the output is valid, but it is not the committed set.
        CrashState state = compactAndCrash(crashAfterFirst(o -> o.kind() == SimOpKind.DIR_SYNC));
        SimFs image = state.allVolatileImage();
        // Segments 1-3 are the inputs (3 was active and sealed by compact()), 4 the output.
        long outputs = List.of("000004.data", "000004.hint").stream()
                .filter(n -> image.exists(DIR.resolve(n))).count();
        assertTrue(outputs == 2, "the image should hold the complete uncommitted output");
        assertCommittedData(image);
        assertFalse(image.exists(DIR.resolve("000004.data")), "an uncommitted output is deleted");
        // And a CRC-valid segment from an older state put back under a committed name does not
        // pass for the committed one: its header names another id.
        SimFs fs = CrashHarness.fresh(13);
        try (Mapcask db = Mapcask.open(fs, DIR, OPTIONS)) {
            db.put(b("x"), b("new"));
        }
        byte[] old = strayCompactionOutput(99, b("x"), b("old"));
        try {
            try (FileHandle h = fs.open(DIR.resolve("000001.data"), true)) {
                h.truncate(0);
                h.write(ByteBuffer.wrap(old), 0);
                h.sync();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThrows(MapcaskCorruptionException.class, () -> Mapcask.open(fs, DIR, OPTIONS).close());
    }

    /** The bytes of a sealed segment with one record, as compaction writes it. */
    private static byte[] strayCompactionOutput(long id, byte[] key, byte[] value) {
        long size = SegmentHeader.DATA_START + RecordFormat.size(key.length, value.length);
        byte[] bytes = new byte[(int) size];
        var s = java.lang.foreign.MemorySegment.ofArray(bytes);
        SegmentHeader.write(s, id);
        RecordFormat.write(s, SegmentHeader.DATA_START, 1_000_000, 0, key, value,
                new byte[RecordFormat.CRC_COVERED_HEADER], new java.util.zip.CRC32C());
        return bytes;
    }

    @Test
    void shouldNotResurrectADeletedKeyThroughAPartialCompaction() {
        SimFs fs = CrashHarness.fresh(14);
        try (Mapcask db = Mapcask.open(fs, DIR, OPTIONS)) {
            db.put(b("gone"), b("old"));
            db.storeForTest().rotateForTest();
            db.delete(b("gone"));
            db.put(b("other"), b("v"));
            db.storeForTest().rotateForTest();
            List<Long> sealed = db.storeForTest().sealedIdsForTest();
            db.storeForTest().compact(sealed.subList(1, sealed.size()));
            assertNull(db.get(b("gone")));
        }
        try (Mapcask db = Mapcask.open(fs.crashState().durableImage(), DIR, OPTIONS)) {
            assertNull(db.get(b("gone")), "a deleted key came back");
        }
    }
}
