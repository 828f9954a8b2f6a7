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
        try (Mapcask db = Mapcask.open(dir, options)) {
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
        }
        try (Mapcask db = Mapcask.open(dir, options)) {
            for (int i = 2700; i < 3000; i++) {
                assertArrayEquals(new byte[100 + i % 50], db.get(("k" + (i % 300)).getBytes(StandardCharsets.UTF_8)));
            }
            assertEquals(1, manifests(dir).size());
        }
    }
}
