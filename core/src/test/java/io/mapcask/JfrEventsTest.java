package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.mmap.SimFault;
import io.mapcask.mmap.SimFs;
import io.mapcask.mmap.SimHook;
import io.mapcask.mmap.SimOpKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code io.mapcask.*} JFR events, recorded in-process around put / rotation / compaction /
 * sync / manifest rotation / reopen and an injected IO error: each type appears, with fields that
 * agree with what the store did.
 */
class JfrEventsTest {
    private static final List<String> TYPES = List.of("io.mapcask.SegmentRoll", "io.mapcask.Force",
            "io.mapcask.Compaction", "io.mapcask.ManifestCommit", "io.mapcask.ManifestRotation", "io.mapcask.Recovery",
            "io.mapcask.IoError");

    @TempDir
    Path tmp;

    private static byte[] key(int i) {
        return ("jfr-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRecordEveryEventTypeWithFieldsThatMatchTheStore() throws Exception {
        Path dir = tmp.resolve("store");
        Path file = tmp.resolve("events.jfr");
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(32 << 10).manifestMaxSize(1024)
                .compactionBackground(false).build();
        MapcaskStats stats;
        try (Recording recording = new Recording()) {
            for (String type : TYPES) {
                recording.enable(type).withoutThreshold();
            }
            recording.start();
            try (Mapcask db = Mapcask.open(dir, options)) {
                for (int round = 0; round < 5; round++) {
                    for (int i = 0; i < 200; i++) {
                        db.put(key(i), new byte[200]);
                    }
                    db.sync();
                }
                db.storeForTest().rotateForTest();
                db.put(key(0), new byte[1]);
                db.sync();
                db.compact();
                stats = db.stats();
                assertTrue(stats.manifestNumber() > 1, "the manifest rotated: " + stats);
            }
            try (Mapcask db = Mapcask.open(dir, options)) {
                assertEquals(200, db.size());
            }
            SimFs fs = CrashHarness.fresh(7);
            try (Mapcask db = Mapcask.open(fs, CrashHarness.DIR, options)) {
                db.put(key(1), new byte[10]);
                fs.setHook(SimHook.failNth(SimOpKind.FORCE, 0, SimFault.EIO));
                assertThrows(MapcaskIOException.class, db::sync);
            } catch (MapcaskIOException closeAfterFailure) {
                // close() reports the earlier failure; expected
            }
            recording.stop();
            recording.dump(file);
        }
        Map<String, List<RecordedEvent>> byType = new TreeMap<>(RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("io.mapcask."))
                .collect(Collectors.groupingBy(e -> e.getEventType().getName())));
        for (String type : TYPES) {
            assertTrue(byType.containsKey(type), type + " recorded; got " + byType.keySet());
            assertEquals("Mapcask", byType.get(type).getFirst().getEventType().getCategoryNames().getFirst(), type);
        }

        List<RecordedEvent> rolls = byType.get("io.mapcask.SegmentRoll").stream()
                .filter(e -> e.getString("directory").equals(dir.toAbsolutePath().toString())).toList();
        assertEquals(stats.segmentRolls(), rolls.size(), "one roll event per new active segment");
        assertEquals(0, rolls.getFirst().getLong("sealedSegmentId"), "the first roll seals nothing");
        for (RecordedEvent roll : rolls.subList(1, rolls.size())) {
            assertTrue(roll.getLong("newSegmentId") > roll.getLong("sealedSegmentId"), roll::toString);
        }
        assertTrue(rolls.stream().anyMatch(e -> e.getLong("sealedSegmentId") > 0
                && e.getLong("sealedLength") > SegmentHeader.DATA_START), "a roll that sealed a full segment");

        List<RecordedEvent> forces = byType.get("io.mapcask.Force").stream()
                .filter(e -> e.getString("segment").startsWith(dir.toAbsolutePath().toString())).toList();
        assertEquals(stats.forces(), forces.size(), "one force event per counted force");
        for (RecordedEvent f : forces) {
            assertTrue(f.getLong("bytes") > 0 && f.getLong("durableEnd") > SegmentHeader.DATA_START, f::toString);
            assertFalse(f.getDuration().isNegative(), f::toString);
        }

        RecordedEvent compaction = byType.get("io.mapcask.Compaction").getFirst();
        assertEquals(stats.compactionRecordsCopied(), compaction.getLong("recordsCopied"), compaction::toString);
        assertEquals(stats.compactionBytesReclaimed(),
                compaction.getLong("inputBytes") - compaction.getLong("outputBytes"), compaction::toString);
        assertTrue(compaction.getInt("inputSegments") >= 2 && compaction.getInt("outputSegments") >= 1,
                compaction::toString);
        assertTrue(compaction.getDuration().toNanos() > 0, compaction::toString);

        List<RecordedEvent> commits = byType.get("io.mapcask.ManifestCommit");
        assertTrue(commits.stream().anyMatch(e -> e.getInt("segmentsRemoved") >= 2),
                "the compaction's commit removes its inputs");
        for (RecordedEvent c : commits) {
            assertTrue(c.getLong("editBytes") >= Manifest.RECORD_HEADER_SIZE + ManifestEdit.FIXED_SIZE, c::toString);
        }

        RecordedEvent rotation = byType.get("io.mapcask.ManifestRotation").getFirst();
        assertEquals(rotation.getLong("previousNumber") + 1, rotation.getLong("number"), rotation::toString);
        assertEquals(ManifestRotationEvent.SIZE, rotation.getString("reason"), rotation::toString);
        assertTrue(rotation.getLong("previousBytes") > 1024, rotation::toString);

        List<RecordedEvent> recoveries = byType.get("io.mapcask.Recovery").stream()
                .filter(e -> e.getString("directory").equals(dir.toAbsolutePath().toString())).toList();
        assertEquals(2, recoveries.size(), "create, then reopen");
        assertTrue(recoveries.get(0).getBoolean("created"), recoveries.get(0)::toString);
        RecordedEvent reopen = recoveries.get(1);
        assertFalse(reopen.getBoolean("created"), reopen::toString);
        assertEquals(200, reopen.getLong("keys"), reopen::toString);
        assertTrue(reopen.getInt("hintsUsed") + reopen.getInt("checkpointSegments") >= 1, reopen::toString);
        assertEquals(0, reopen.getInt("segmentsScanned"), reopen::toString);

        RecordedEvent error = byType.get("io.mapcask.IoError").getFirst();
        assertTrue(error.getBoolean("failStop"), error::toString);
        assertTrue(error.getString("operation").startsWith("sync of"), error::toString);
        assertTrue(error.getString("message").contains("EIO"), error::toString);
    }
}
