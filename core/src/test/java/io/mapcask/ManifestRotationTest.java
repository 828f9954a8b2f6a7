package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestRotationTest {
    @TempDir
    Path dir;

    private static List<String> manifests(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("MANIFEST-")).sorted().toList();
        }
    }

    @Test
    void shouldRotateTheManifestPastItsLimitAndKeepExactlyOne() throws IOException {
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(16 << 10).manifestMaxSize(1024).build();
        long seed;
        try (Mapcask db = Mapcask.open(dir, options)) {
            seed = StoreFiles.hashSeed(dir);
            for (int i = 0; i < 3000; i++) {
                db.put(("k" + (i % 300)).getBytes(StandardCharsets.UTF_8), new byte[100 + i % 50]);
                if (i % 1000 == 999) {
                    db.compact();
                }
            }
            List<String> m = manifests(dir);
            assertEquals(1, m.size(), "exactly one manifest after rotations: " + m);
            assertTrue(m.get(0).compareTo("MANIFEST-000003") > 0, "the manifest should have rotated: " + m);
            assertTrue(Files.size(dir.resolve(m.get(0))) <= 1024 + 4096, "manifest stays near its limit");
            assertEquals(seed, StoreFiles.hashSeed(dir), "every rotated manifest keeps the store's hash seed");
        }
        try (Mapcask db = Mapcask.open(dir, options)) {
            for (int i = 2700; i < 3000; i++) {
                assertArrayEquals(new byte[100 + i % 50], db.get(("k" + (i % 300)).getBytes(StandardCharsets.UTF_8)));
            }
            assertEquals(1, manifests(dir).size());
        }
        assertEquals(seed, StoreFiles.hashSeed(dir));
    }

    @Test
    void shouldKeepTheHashSeedWhenRecoveryRotatesAManifestWithATornLastEdit() throws IOException {
        MapcaskOptions options = MapcaskOptions.builder().segmentSize(16 << 10).build();
        try (Mapcask db = Mapcask.open(dir, options)) {
            for (int i = 0; i < 500; i++) {
                db.put(("k" + (i % 200)).getBytes(StandardCharsets.UTF_8), new byte[100 + i % 50]);
            }
        }
        long seed = StoreFiles.hashSeed(dir);
        List<String> before = manifests(dir);
        assertEquals(1, before.size());
        // A torn last edit: a record header whose payload never reached the disk.
        Path manifest = dir.resolve(before.get(0));
        byte[] torn = new byte[16];
        java.nio.ByteBuffer.wrap(torn).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 64).putInt(4, 0x1234_5678);
        Files.write(manifest, torn, java.nio.file.StandardOpenOption.APPEND);
        try (Mapcask db = Mapcask.open(dir, options)) {
            List<String> after = manifests(dir);
            assertEquals(1, after.size());
            assertTrue(after.get(0).compareTo(before.get(0)) > 0, "recovery rotated the manifest: " + after);
            assertEquals(seed, StoreFiles.hashSeed(dir), "the rotated manifest keeps the store's hash seed");
            for (int i = 300; i < 500; i++) {
                assertArrayEquals(new byte[100 + i % 50], db.get(("k" + (i % 200)).getBytes(StandardCharsets.UTF_8)));
            }
        }
        // The hints, written with the seed before the rotation, are still the store's.
        for (Path hint : StoreFiles.list(dir, "*.hint")) {
            long id = FileNames.hintId(hint.getFileName().toString());
            assertEquals(null, HintFormat.validate(java.lang.foreign.MemorySegment.ofArray(StoreFiles.read(hint)), id,
                    StoreFiles.liveSet(dir).get(id).length(), seed), hint.toString());
        }
    }
}
