package io.mapcask.jmh;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskConfig;
import io.mapcask.MapcaskOptions;
import java.nio.file.Path;

/**
 * Mapcask through its public API.
 *
 * <ul>
 *   <li>{@link Durability#NONE}: {@code sync.mode=none}; a write is durable after the next
 *       {@code sync()} or when a full segment is sealed (forced, hinted, committed).
 *   <li>{@link Durability#EACH_WRITE}: {@code sync.mode=always}; each {@code put} forces its
 *       record before it returns. There is no group commit yet (a later issue).
 *   <li>64 MiB segments unless the fork JVM sets {@code -Dmapcask.segment.size}; every other
 *       option comes from {@code -Dmapcask.*} system properties or the defaults (CRC32C checked
 *       on every read, keydir from 1,024 slots growing by itself), so {@code
 *       -Dmapcask.verify.checksums=false} and friends can be tried without a code change.
 *   <li>{@link #compact()} is Mapcask's synchronous full pass; {@link #sync()} is {@code sync()}.
 * </ul>
 */
final class MapcaskEngine implements KvEngine {
    static final String NAME = "mapcask";
    static final long DEFAULT_SEGMENT_SIZE_BYTES = 64L << 20;

    private Mapcask db;

    @Override
    public void open(Path dir, Durability durability, int valueSize, int keyCount) {
        MapcaskOptions.Builder b = MapcaskOptions.builder().syncMode(
                durability == Durability.EACH_WRITE ? MapcaskOptions.SyncMode.ALWAYS : MapcaskOptions.SyncMode.NONE);
        String segment = System.getProperty(MapcaskConfig.SEGMENT_SIZE_PROP_NAME);
        if (segment == null || segment.isBlank()) {
            b.segmentSize(DEFAULT_SEGMENT_SIZE_BYTES);
        }
        MapcaskOptions options = b.build();
        db = Mapcask.open(dir, options);
    }

    @Override
    public void put(byte[] key, byte[] value) {
        db.put(key, value);
    }

    @Override
    public byte[] get(byte[] key) {
        return db.get(key);
    }

    @Override
    public void sync() {
        db.sync();
    }

    @Override
    public void compact() {
        db.compact();
    }

    @Override
    public void close() {
        if (db != null) {
            db.close();
            db = null;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return "Mapcask " + KvEngine.version("mapcask");
    }

    @Override
    public java.util.List<String> jvmFlags() {
        // Already in every fork (BenchMain.BASE_JVM_FLAGS); named here as what Mapcask needs.
        return java.util.List.of("--enable-native-access=ALL-UNNAMED");
    }
}
