package io.mapcask.jmh;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskConfig;
import io.mapcask.MapcaskOptions;
import java.nio.file.Path;

/**
 * Mapcask through its public API, {@code sync.mode=none}. The segment size is 64 MiB unless the
 * fork JVM sets {@code -Dmapcask.segment.size}; every other option comes from {@code -Dmapcask.*}
 * system properties or the engine's defaults (so {@code -Dmapcask.verify.checksums=false} and
 * friends can be tried without a code change).
 */
final class MapcaskEngine implements KvEngine {
    static final String NAME = "mapcask";
    static final long DEFAULT_SEGMENT_SIZE_BYTES = 64L << 20;

    private Mapcask db;

    @Override
    public void open(Path dir) {
        MapcaskOptions.Builder b = MapcaskOptions.builder().syncMode(MapcaskOptions.SyncMode.NONE);
        String segment = System.getProperty(MapcaskConfig.SEGMENT_SIZE_PROP_NAME);
        if (segment == null || segment.isBlank()) {
            b.segmentSize(DEFAULT_SEGMENT_SIZE_BYTES);
        }
        MapcaskOptions options = b.build();
        db = Mapcask.open(dir, options);
        System.out.println("# mapcask options: " + options);
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
    public void close() {
        if (db != null) {
            db.close();
            db = null;
        }
    }
}
