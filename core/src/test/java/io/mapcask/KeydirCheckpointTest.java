package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The keydir checkpoint ({@link KeydirCheckpoint}): its bytes, its use at open (instead of the
 * hints, with newer segments loaded on top), and every way it must be refused (stale after a
 * compaction, damaged, of another store) without changing what the store holds.
 */
class KeydirCheckpointTest {
    private static final long SMALL_SEGMENT = 64 << 10;

    @TempDir
    Path root;
    Path dir;

    @BeforeEach
    void storeDirectory() {
        dir = root.resolve("store");
    }

    private static MapcaskOptions options() {
        return MapcaskOptions.builder().segmentSize(SMALL_SEGMENT).compactionBackground(false).build();
    }

    private StoreModel populated(Random rnd) {
        StoreModel model = new StoreModel();
        try (Mapcask db = Mapcask.open(dir, options())) {
            model.write(db, rnd, 300, 1_500);
        }
        assertTrue(StoreFiles.list(dir, "*.data").size() >= 4, "the test needs several segments");
        assertTrue(Files.exists(dir.resolve(FileNames.KEYDIR)), "close writes the checkpoint");
        return model;
    }

    /** Deletes every hint: an open that does not rewrite them did not need them (the checkpoint was used). */
    private void deleteHints() throws Exception {
        for (Path hint : StoreFiles.list(dir, "*.hint")) {
            Files.delete(hint);
        }
    }

    @Test
    void shouldWriteTheKeydirOfEveryKeyAtTheDocumentedOffsets() {
        TestSeeds.run(0x4B44495242595445L, rnd -> {
            StoreModel model = populated(rnd);
            MemorySegment s = MemorySegment.ofArray(StoreFiles.read(dir.resolve(FileNames.KEYDIR)));
            LiveSet live = StoreFiles.liveSet(dir);
            long seed = StoreFiles.hashSeed(dir);
            assertEquals("MCSKKDIR", Layout.magicText(s, 0));
            assertEquals(1, Layout.getInt(s, 8));
            assertEquals(0, Layout.getInt(s, 12));
            assertEquals(seed, Layout.getLong(s, 16));
            assertEquals(live.nextSegmentId(), Layout.getLong(s, 24));
            assertEquals(live.lastSequence(), Layout.getLong(s, 32));
            List<SegmentMeta> segments = new ArrayList<>(live.segments());
            assertEquals(segments.size(), Layout.getLong(s, 40));
            long keys = model.values.size();
            assertEquals(keys, Layout.getLong(s, 48), "one entry per key ever written: puts and tombstones");
            Map<Long, long[]> usage = new HashMap<>();
            try (Mapcask db = Mapcask.open(dir, options())) {
                usage.putAll(db.storeForTest().scanUsage());
            }
            for (int i = 0; i < segments.size(); i++) {
                long at = 56 + 48L * i;
                SegmentMeta m = segments.get(i);
                assertTrue(m.sealed());
                assertEquals(m.id(), Layout.getLong(s, at));
                assertEquals(m.length(), Layout.getLong(s, at + 8));
                assertEquals(m.minSequence(), Layout.getLong(s, at + 16));
                assertEquals(m.maxSequence(), Layout.getLong(s, at + 24));
                assertEquals(usage.get(m.id())[0], Layout.getLong(s, at + 32), "live bytes of " + m.id());
                assertEquals(usage.get(m.id())[1], Layout.getLong(s, at + 40), "dead bytes of " + m.id());
            }
            long entries = 56 + 48L * segments.size();
            assertEquals(entries + 12 * keys + 8, s.byteSize());
            Map<String, Long> newest = newestRecords(seed);
            for (long at = entries; at < entries + 12 * keys; at += 12) {
                long location = Layout.getLong(s, at);
                int word = Layout.getInt(s, at + 8);
                MemorySegment data = MemorySegment.ofArray(StoreFiles.read(FileNames.data(dir, Keydir.segmentId(location))));
                long off = Keydir.offset(location);
                byte[] k = data.asSlice(RecordFormat.keyOffset(off), RecordFormat.keyLength(data, off))
                        .toArray(ValueLayout.JAVA_BYTE);
                assertEquals((int) KeyHash.hash(k, seed), word, "hash word of the entry at " + at);
                assertEquals(RecordFormat.isTombstone(data, off), Keydir.isTombstone(location));
                assertEquals(newest.remove(new String(k, StandardCharsets.UTF_8)), location,
                        "the entry at " + at + " is its key's newest record");
            }
            assertEquals(Map.of(), newest, "keys without an entry");
            long footer = s.byteSize() - 8;
            assertEquals(Crc.of(s, 0, footer), Layout.getInt(s, footer));
            assertEquals(0, Layout.getInt(s, footer + 4));
        });
    }

    /** Key → location of its record with the highest sequence, from a scan of every data segment. */
    private Map<String, Long> newestRecords(long seed) {
        Map<String, Long> location = new HashMap<>();
        Map<String, Long> sequence = new HashMap<>();
        for (SegmentMeta m : StoreFiles.liveSet(dir).segments()) {
            MemorySegment data = MemorySegment.ofArray(StoreFiles.read(FileNames.data(dir, m.id())));
            for (long off = SegmentHeader.DATA_START; off < m.length(); ) {
                int keyLength = RecordFormat.keyLength(data, off);
                String k = new String(data.asSlice(RecordFormat.keyOffset(off), keyLength).toArray(ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8);
                long seq = RecordFormat.sequence(data, off);
                if (seq > sequence.getOrDefault(k, 0L)) {
                    sequence.put(k, seq);
                    location.put(k, Keydir.location(m.id(), off, RecordFormat.isTombstone(data, off)));
                }
                off += RecordFormat.size(keyLength, RecordFormat.valueLength(data, off));
            }
        }
        return location;
    }

    @Test
    void shouldReopenFromTheCheckpointWithoutReadingAHint() {
        TestSeeds.run(0x4B44495255534531L, rnd -> {
            StoreModel model = populated(rnd);
            deleteHints();
            try (Mapcask db = Mapcask.open(dir, options())) {
                model.assertIn(db, "after a reopen from the checkpoint");
            }
            assertEquals(List.of(), StoreFiles.list(dir, "*.hint"), "no segment was loaded from a hint or a scan");
        });
    }

    @Test
    void shouldLoadSegmentsNewerThanTheCheckpointOnTopOfItAfterACrash() {
        TestSeeds.run(0x4B4449524E455752L, rnd -> {
            StoreModel model = populated(rnd);
            List<Path> coveredHints = StoreFiles.list(dir, "*.hint");
            Mapcask db = Mapcask.open(dir, options());
            model.write(db, rnd, 400, 800); // overwrites and deletes of covered keys, new keys, rotations
            db.sync();
            db.abandon();
            for (Path hint : coveredHints) {
                Files.delete(hint);
            }
            try (Mapcask again = Mapcask.open(dir, options())) {
                model.assertIn(again, "after a crash, from the checkpoint and the newer segments");
            }
            for (Path hint : coveredHints) {
                assertFalse(Files.exists(hint), "the covered segment of " + hint + " was loaded from the checkpoint");
            }
            try (Mapcask again = Mapcask.open(dir, options())) {
                model.assertIn(again, "after the next clean close");
            }
        });
    }

    @Test
    void shouldRefuseACheckpointThatOutlivedACompactionOfItsSegments() {
        TestSeeds.run(0x4B44495253544C45L, rnd -> {
            StoreModel model = populated(rnd);
            Path saved = root.resolve("saved-keydir");
            Files.copy(dir.resolve(FileNames.KEYDIR), saved);
            Mapcask db = Mapcask.open(dir, options());
            model.write(db, rnd, 300, 200);
            db.compact();
            assertFalse(Files.exists(dir.resolve(FileNames.KEYDIR)), "a compaction's commit deletes the checkpoint");
            model.write(db, rnd, 300, 100);
            db.sync();
            db.abandon();
            // A crash before the deletion reached the disk brings the stale checkpoint back.
            Files.copy(saved, dir.resolve(FileNames.KEYDIR));
            try (Mapcask again = Mapcask.open(dir, options())) {
                assertFalse(Files.exists(dir.resolve(FileNames.KEYDIR)), "recovery deletes a stale checkpoint");
                model.assertIn(again, "after refusing the stale checkpoint");
            }
            assertTrue(Files.exists(dir.resolve(FileNames.KEYDIR)), "close writes a new one");
        });
    }

    /** Damage a checkpoint may suffer; each must make the open read the hints and find the same contents. */
    enum Damage {
        FLIP_BYTE, TRUNCATE, EMPTY, GARBAGE, ANOTHER_STORES, BAD_VERSION
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void shouldIgnoreADamagedCheckpointAndFindTheSameContents(Damage damage) {
        TestSeeds.run(0x4B4449524441L + damage.ordinal(), rnd -> {
            StoreModel model = populated(rnd);
            Path keydir = dir.resolve(FileNames.KEYDIR);
            long size = StoreFiles.size(keydir);
            switch (damage) {
                // Not the footer's last 4 bytes: reserved, outside the CRC.
                case FLIP_BYTE -> StoreFiles.flipByte(keydir, rnd.nextLong(size - 4));
                case TRUNCATE -> StoreFiles.truncate(keydir, rnd.nextLong(size));
                case EMPTY -> StoreFiles.truncate(keydir, 0);
                case GARBAGE -> {
                    byte[] g = new byte[(int) size];
                    rnd.nextBytes(g);
                    Files.write(keydir, g);
                }
                case ANOTHER_STORES -> {
                    Path other = root.resolve("other");
                    try (Mapcask db = Mapcask.open(other, options())) {
                        new StoreModel().write(db, rnd, 300, 1_500);
                    }
                    Files.copy(other.resolve(FileNames.KEYDIR), keydir, StandardCopyOption.REPLACE_EXISTING);
                }
                case BAD_VERSION -> {
                    MemorySegment s = MemorySegment.ofArray(StoreFiles.read(keydir));
                    Layout.putInt(s, KeydirCheckpoint.VERSION_OFFSET, 2);
                    Layout.putInt(s, s.byteSize() - 8, Crc.of(s, 0, s.byteSize() - 8));
                    Files.write(keydir, s.toArray(ValueLayout.JAVA_BYTE));
                }
            }
            MemorySegment damaged = MemorySegment.ofArray(StoreFiles.read(keydir));
            assertTrue(KeydirCheckpoint.checkIntact(damaged, StoreFiles.hashSeed(dir)) != null,
                    "the damage is detectable: " + damage);
            try (Mapcask db = Mapcask.open(dir, options())) {
                model.assertIn(db, "after ignoring a damaged checkpoint (" + damage + ")");
                assertFalse(Files.exists(keydir), "recovery deletes a checkpoint it cannot use");
            }
            assertNull(KeydirCheckpoint.checkIntact(MemorySegment.ofArray(StoreFiles.read(keydir)),
                    StoreFiles.hashSeed(dir)), "close writes a new checkpoint");
        });
    }

    @Test
    void shouldChangeNoFileWhenAStoreOpenedFromItsCheckpointIsClosedUnwritten() {
        TestSeeds.run(0x4B444952494445L, rnd -> {
            StoreModel model = populated(rnd);
            var before = StoreFiles.snapshot(dir);
            for (int i = 0; i < 2; i++) {
                try (Mapcask db = Mapcask.open(dir, options())) {
                    model.assertIn(db, "reopen " + i);
                }
                StoreFiles.assertUnchanged(before, dir, "open and close without a write");
            }
        });
    }

    @Test
    void shouldNeitherWriteNorKeepACheckpointWhenTurnedOff() {
        TestSeeds.run(0x4B4449524F46L, rnd -> {
            StoreModel model = populated(rnd);
            MapcaskOptions off = MapcaskOptions.builder().segmentSize(SMALL_SEGMENT).compactionBackground(false)
                    .keydirCheckpoint(false).build();
            try (Mapcask db = Mapcask.open(dir, off)) {
                model.assertIn(db, "opened from the checkpoint with the option off");
                model.write(db, rnd, 300, 100);
            }
            assertFalse(Files.exists(dir.resolve(FileNames.KEYDIR)), "close with the option off removes the checkpoint");
            try (Mapcask db = Mapcask.open(dir, off)) {
                model.assertIn(db, "opened from the hints");
            }
            assertFalse(Files.exists(dir.resolve(FileNames.KEYDIR)));
        });
    }
}
