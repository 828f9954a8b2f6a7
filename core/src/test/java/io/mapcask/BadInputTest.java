package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The public contract's answers to bad arguments, bad places and bad configuration (DESIGN
 * §1): the right exception, a message that names what was wrong and the limit, and nothing
 * changed; plus the array-ownership rules of {@code put} and {@code get}.
 */
class BadInputTest {
    private static final int MAX_KEY = 100;
    private static final int MAX_VALUE = 1_000;

    @TempDir
    Path tmp;

    private MapcaskOptions options() {
        return MapcaskOptions.builder().segmentSize(64 << 10).maxKeySize(MAX_KEY).maxValueSize(MAX_VALUE).build();
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** Runs {@code body} on a store holding one key, and checks the rejected calls changed nothing. */
    private void withStore(Random rnd, StoreBody body) throws Exception {
        Path dir = tmp.resolve("store");
        byte[] key = bytes(rnd, 10);
        byte[] value = bytes(rnd, 50);
        try (Mapcask db = Mapcask.open(dir, options())) {
            db.put(key, value);
            Map<String, StoreFiles.FileState> before = StoreFiles.snapshot(dir);
            body.run(db, rnd);
            StoreFiles.assertUnchanged(before, dir, "a rejected call");
            assertArrayEquals(value, db.get(key), "a rejected call changed a stored value");
            assertEquals(1, db.size(), "a rejected call changed size()");
        }
        try (Mapcask db = Mapcask.open(dir, options())) {
            assertArrayEquals(value, db.get(key), "after reopening");
            assertEquals(1, db.size(), "a rejected call left a record that came back after reopening");
        }
    }

    @FunctionalInterface
    private interface StoreBody {
        void run(Mapcask db, Random rnd) throws Exception;
    }

    private static void assertMessageNames(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p),
                    "the message should name '" + p + "': " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ arguments

    @Test
    void shouldRejectNullKeyOrValueWithMessageNamingTheArgument() {
        TestSeeds.run(0x4E554C4C4B455931L, rnd -> withStore(rnd, (db, r) -> {
            byte[] k = bytes(r, 5);
            byte[] v = bytes(r, 5);
            List<Executable> nullKey = List.of(() -> db.put(null, v), () -> db.get(null), () -> db.delete(null));
            for (Executable call : nullKey) {
                assertMessageNames(assertThrows(NullPointerException.class, call), "key");
            }
            assertMessageNames(assertThrows(NullPointerException.class, () -> db.put(k, null)), "value");
            assertNull(db.get(k));
        }));
    }

    @Test
    void shouldRejectEmptyKeyNamingTheLimitAndProperty() {
        TestSeeds.run(0x454D5054594B4559L, rnd -> withStore(rnd, (db, r) -> {
            byte[] empty = new byte[0];
            List<Executable> calls = List.of(() -> db.put(empty, bytes(r, 3)), () -> db.get(empty), () -> db.delete(empty));
            for (Executable call : calls) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
                assertMessageNames(e, "key", "empty", "1", Integer.toString(MAX_KEY), MapcaskConfig.MAX_KEY_SIZE_PROP_NAME);
            }
        }));
    }

    @Test
    void shouldRejectKeyOverMaxKeySizeNamingTheLimitAndProperty() {
        TestSeeds.run(0x4C4F4E474B455931L, rnd -> withStore(rnd, (db, r) -> {
            byte[] tooLong = bytes(r, MAX_KEY + 1);
            List<Executable> calls = List.of(() -> db.put(tooLong, bytes(r, 3)), () -> db.get(tooLong),
                    () -> db.delete(tooLong));
            for (Executable call : calls) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
                assertMessageNames(e, "key", Integer.toString(MAX_KEY + 1), Integer.toString(MAX_KEY),
                        MapcaskConfig.MAX_KEY_SIZE_PROP_NAME);
            }
            byte[] longest = bytes(r, MAX_KEY);
            assertNull(db.get(longest), "a key of exactly the limit is accepted");
        }));
    }

    @Test
    void shouldRejectValueOverMaxValueSizeNamingTheLimitAndProperty() {
        TestSeeds.run(0x4C4F4E4756414C31L, rnd -> withStore(rnd, (db, r) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> db.put(bytes(r, 7), bytes(r, MAX_VALUE + 1)));
            assertMessageNames(e, "value", Integer.toString(MAX_VALUE + 1), Integer.toString(MAX_VALUE),
                    MapcaskConfig.MAX_VALUE_SIZE_PROP_NAME);
        }));
    }

    @Test
    void shouldAcceptKeyAndValueOfExactlyTheLimits() {
        TestSeeds.run(0x4C494D4954534F4BL, rnd -> {
            Path dir = tmp.resolve("store");
            byte[] key = bytes(rnd, MAX_KEY);
            byte[] value = bytes(rnd, MAX_VALUE);
            try (Mapcask db = Mapcask.open(dir, options())) {
                db.put(key, value);
                assertArrayEquals(value, db.get(key));
            }
            // The largest value the segment size allows, with the largest key: exactly one segment's room.
            Path big = tmp.resolve("big");
            MapcaskOptions defaults = MapcaskOptions.builder().segmentSize(64 << 10).build();
            byte[] k = bytes(rnd, defaults.maxKeySize());
            byte[] v = bytes(rnd, defaults.maxValueSize());
            try (Mapcask db = Mapcask.open(big, defaults)) {
                db.put(bytes(rnd, 3), bytes(rnd, 100));
                db.put(k, v);
                db.put(k, v);
                assertArrayEquals(v, db.get(k));
            }
            try (Mapcask db = Mapcask.open(big, defaults)) {
                assertArrayEquals(v, db.get(k));
            }
        });
    }

    // ------------------------------------------------------------------ closed store

    @Test
    void shouldThrowClosedExceptionOnEveryCallAfterCloseAndCloseIdempotently() {
        TestSeeds.run(0x434C4F5345443131L, rnd -> {
            Path dir = tmp.resolve("store");
            byte[] k = bytes(rnd, 8);
            Mapcask db = Mapcask.open(dir, options());
            db.put(k, bytes(rnd, 8));
            db.close();
            List<Executable> calls = List.of(() -> db.put(k, bytes(rnd, 4)), () -> db.get(k), () -> db.delete(k),
                    db::sync, db::size);
            for (Executable call : calls) {
                MapcaskClosedException e = assertThrows(MapcaskClosedException.class, call);
                assertMessageNames(e, "closed", dir.toString());
            }
            db.close();
            db.close();
            // A closed instance released the directory.
            try (Mapcask again = Mapcask.open(dir, options())) {
                assertNotNull(again.get(k));
            }
        });
    }

    // ------------------------------------------------------------------ bad places

    @Test
    void shouldRefuseRegularFileAndChangeNothing() {
        TestSeeds.run(0x46494C4550415448L, rnd -> {
            Path file = tmp.resolve("file");
            Files.write(file, bytes(rnd, 100));
            Map<String, StoreFiles.FileState> before = StoreFiles.snapshot(tmp);
            MapcaskException e = assertThrows(MapcaskException.class, () -> Mapcask.open(file, options()));
            assertMessageNames(e, file.toString(), "not a directory");
            StoreFiles.assertUnchanged(before, tmp, "refusing a regular file");
        });
    }

    @Test
    void shouldRefuseNonEmptyDirectoryWithoutStoreAndTouchNothingInIt() {
        TestSeeds.run(0x464F524549474E31L, rnd -> {
            Path dir = tmp.resolve("photos");
            Files.createDirectories(dir.resolve("2024"));
            Files.write(dir.resolve("cat.jpg"), bytes(rnd, 1000));
            Files.write(dir.resolve("2024/dog.jpg"), bytes(rnd, 1000));
            Map<String, StoreFiles.FileState> before = StoreFiles.snapshot(tmp);
            MapcaskException e = assertThrows(MapcaskException.class, () -> Mapcask.open(dir, options()));
            assertMessageNames(e, dir.toString(), "Nothing was changed");
            StoreFiles.assertUnchanged(before, tmp, "refusing a foreign directory");
            assertFalse(Files.exists(dir.resolve(FileNames.LOCK)), "no LOCK file is created in a foreign directory");
        });
    }

    @Test
    void shouldRefuseDirectoryHoldingOnlyDataSegmentsAndDeleteNone() {
        TestSeeds.run(0x4F4E4C5944415441L, rnd -> {
            // What is left of a store whose CURRENT and manifest were lost: never "cleaned up".
            Path dir = tmp.resolve("store");
            try (Mapcask db = Mapcask.open(dir, options())) {
                db.put(bytes(rnd, 5), bytes(rnd, 500));
            }
            Files.delete(dir.resolve(FileNames.CURRENT));
            Files.delete(StoreFiles.manifest(dir));
            Map<String, StoreFiles.FileState> before = StoreFiles.snapshot(tmp);
            assertThrows(MapcaskException.class, () -> Mapcask.open(dir, options()));
            StoreFiles.assertUnchanged(before, tmp, "refusing a directory of orphaned segments");
        });
    }

    @Test
    void shouldCreateMissingDirectoryWithItsParents() {
        TestSeeds.run(0x4D4B444952533131L, rnd -> {
            Path dir = tmp.resolve("a/b/c/store");
            byte[] k = bytes(rnd, 4);
            try (Mapcask db = Mapcask.open(dir, options())) {
                assertTrue(Files.isDirectory(dir));
                db.put(k, bytes(rnd, 4));
            }
            try (Mapcask db = Mapcask.open(dir, options())) {
                assertNotNull(db.get(k));
            }
        });
    }

    // ------------------------------------------------------------------ configuration

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            mapcask.segment.size            | abc       | 16384 | 1073741824
            mapcask.segment.size            | 1k        | 16384 | 1073741824
            mapcask.segment.size            | 2g        | 16384 | 1073741824
            mapcask.segment.size            | -5        | 16384 | 1073741824
            mapcask.segment.size            | 16385     | multiple of 8 |
            mapcask.sync.mode               | sometimes | always | none
            mapcask.keydir.initial.capacity | many      | 16    | 1073741824
            mapcask.keydir.initial.capacity | 8         | 16    | 1073741824
            mapcask.max.key.size            | 0         | 1     | 65535
            mapcask.max.key.size            | 70000     | 1     | 65535
            mapcask.max.value.size          | -1        | 0     |
            mapcask.max.value.size          | 2g        | 0     |
            mapcask.manifest.max.size       | 1         | 1024  | 1073741824
            mapcask.verify.checksums        | maybe     | true  | false
            """)
    void shouldRejectInvalidPropertyNamingPropertyValueAndRange(String property, String value, String range1,
            String range2) {
        TestSeeds.run(0x50524F5045525459L, rnd -> {
            String old = System.getProperty(property);
            System.setProperty(property, value);
            try {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        MapcaskOptions::fromSystemProperties);
                assertMessageNames(e, property, value, range1);
                if (range2 != null) {
                    assertMessageNames(e, range2);
                }
                // Mapcask.open(dir) reads the same properties, and fails before creating anything.
                Path dir = tmp.resolve("never-created");
                IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> Mapcask.open(dir));
                assertEquals(e.getMessage(), e2.getMessage());
                assertFalse(Files.exists(dir), "a store with invalid options creates nothing");
            } finally {
                if (old == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, old);
                }
            }
        });
    }

    @Test
    void shouldRejectInvalidBuilderValuesNamingPropertyValueAndRange() {
        TestSeeds.run(0x4255494C44455231L, rnd -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MapcaskOptions.builder().segmentSize(1000).build());
            assertMessageNames(e, MapcaskConfig.SEGMENT_SIZE_PROP_NAME, "1000", "16384", "1073741824");
            e = assertThrows(IllegalArgumentException.class,
                    () -> MapcaskOptions.builder().segmentSize(64 << 10).maxKeySize(65_000).build());
            assertMessageNames(e, MapcaskConfig.MAX_KEY_SIZE_PROP_NAME, "65000", "61416", MapcaskConfig.SEGMENT_SIZE_PROP_NAME);
            e = assertThrows(IllegalArgumentException.class,
                    () -> MapcaskOptions.builder().segmentSize(64 << 10).maxValueSize(64 << 10).build());
            assertMessageNames(e, MapcaskConfig.MAX_VALUE_SIZE_PROP_NAME, Integer.toString(64 << 10));
            e = assertThrows(IllegalArgumentException.class,
                    () -> MapcaskOptions.builder().keydirInitialCapacity(0).build());
            assertMessageNames(e, MapcaskConfig.KEYDIR_INITIAL_CAPACITY_PROP_NAME, "0", "16");
            e = assertThrows(IllegalArgumentException.class,
                    () -> MapcaskOptions.builder().manifestMaxSize(-1).build());
            assertMessageNames(e, MapcaskConfig.MANIFEST_MAX_SIZE_PROP_NAME, "-1", "1024");
            assertThrows(NullPointerException.class, () -> MapcaskOptions.builder().syncMode(null));
        });
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            mapcask.segment.size      | 64m    | 67108864
            mapcask.segment.size      | 16k    | 16384
            mapcask.segment.size      | 1g     | 1073741824
            mapcask.segment.size      | 65536  | 65536
            mapcask.segment.size      | ' 2m ' | 2097152
            mapcask.manifest.max.size | 8m     | 8388608
            mapcask.max.value.size    | 1m     | 1048576
            mapcask.max.key.size      | 1k     | 1024
            """)
    void shouldAcceptSizesWithUnitSuffix(String property, String value, long bytes) {
        TestSeeds.run(0x53495A4553554646L, rnd -> {
            String old = System.getProperty(property);
            System.setProperty(property, value);
            try {
                MapcaskOptions o = MapcaskOptions.fromSystemProperties();
                long actual = switch (property) {
                    case MapcaskConfig.SEGMENT_SIZE_PROP_NAME -> o.segmentSize();
                    case MapcaskConfig.MANIFEST_MAX_SIZE_PROP_NAME -> o.manifestMaxSize();
                    case MapcaskConfig.MAX_VALUE_SIZE_PROP_NAME -> o.maxValueSize();
                    case MapcaskConfig.MAX_KEY_SIZE_PROP_NAME -> o.maxKeySize();
                    default -> throw new AssertionError(property);
                };
                assertEquals(bytes, actual, property + "=" + value);
            } finally {
                if (old == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, old);
                }
            }
        });
    }

    @Test
    void shouldLetBuilderValueWinOverSystemProperty() {
        TestSeeds.run(0x4255494C44455232L, rnd -> {
            System.setProperty(MapcaskConfig.SEGMENT_SIZE_PROP_NAME, "abc");
            System.setProperty(MapcaskConfig.SYNC_MODE_PROP_NAME, "always");
            try {
                MapcaskOptions o = MapcaskOptions.builder().segmentSize(1 << 20).build();
                assertEquals(1 << 20, o.segmentSize());
                assertEquals(MapcaskOptions.SyncMode.ALWAYS, o.syncMode(), "an unset builder value comes from the property");
            } finally {
                System.clearProperty(MapcaskConfig.SEGMENT_SIZE_PROP_NAME);
                System.clearProperty(MapcaskConfig.SYNC_MODE_PROP_NAME);
            }
        });
    }

    // ------------------------------------------------------------------ array ownership

    @Test
    void shouldNotKeepTheCallersArraysInPut() {
        TestSeeds.run(0x4F574E4552534831L, rnd -> {
            byte[] key = bytes(rnd, 16);
            byte[] value = bytes(rnd, 64);
            byte[] keyCopy = key.clone();
            byte[] valueCopy = value.clone();
            Path dir = tmp.resolve("store");
            try (Mapcask db = Mapcask.open(dir, options())) {
                db.put(key, value);
                rnd.nextBytes(key);
                rnd.nextBytes(value);
                assertArrayEquals(valueCopy, db.get(keyCopy), "changing the arrays after put changed the stored value");
                assertNull(db.get(key), "changing the key array after put created another key");
            }
            try (Mapcask db = Mapcask.open(dir, options())) {
                assertArrayEquals(valueCopy, db.get(keyCopy));
            }
        });
    }

    @Test
    void shouldReturnAFreshArrayFromEveryGet() {
        TestSeeds.run(0x4F574E4552534832L, rnd -> {
            byte[] key = bytes(rnd, 16);
            byte[] value = bytes(rnd, 64);
            try (Mapcask db = Mapcask.open(tmp.resolve("store"), options())) {
                db.put(key, value);
                byte[] a = db.get(key);
                byte[] b = db.get(key);
                assertNotSame(a, b);
                assertNotSame(value, a);
                a[0] ^= 1;
                assertArrayEquals(value, db.get(key), "changing a returned array changed the stored value");
                assertArrayEquals(value, b);
            }
        });
    }

    @Test
    void shouldTellEmptyValueFromAbsentKey() {
        TestSeeds.run(0x454D50545956414CL, rnd -> {
            byte[] key = bytes(rnd, 16);
            Path dir = tmp.resolve("store");
            try (Mapcask db = Mapcask.open(dir, options())) {
                assertNull(db.get(key));
                assertFalse(db.delete(key), "deleting an absent key");
                db.put(key, new byte[0]);
                assertArrayEquals(new byte[0], db.get(key));
                assertEquals(1, db.size());
            }
            try (Mapcask db = Mapcask.open(dir, options())) {
                assertArrayEquals(new byte[0], db.get(key), "an empty value survives reopening");
                assertTrue(db.delete(key), "deleting a key with an empty value");
                assertNull(db.get(key));
                assertEquals(0, db.size());
            }
            try (Mapcask db = Mapcask.open(dir, options())) {
                assertNull(db.get(key), "a deleted empty value stays deleted");
            }
        });
    }
}
