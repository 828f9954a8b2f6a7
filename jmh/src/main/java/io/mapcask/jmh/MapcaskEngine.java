package io.mapcask.jmh;

import io.mapcask.Mapcask;
import io.mapcask.MapcaskConfig;
import io.mapcask.MapcaskOptions;
import io.mapcask.MapcaskOptions.SyncMode;
import io.mapcask.WriteBatch;
import java.nio.file.Path;
import java.util.List;

/**
 * Mapcask through its public API.
 *
 * <ul>
 *   <li>{@link Durability#NONE}: {@code sync.mode=none}; a write is durable after the next
 *       {@code sync()} or when a full segment is sealed (forced, hinted, committed).
 *   <li>{@link Durability#EACH_WRITE}: each {@code put} is durable when it returns, in the
 *       variant W3's {@code mapcaskSync} parameter names ({@link #durableVariant}): {@code
 *       always} (each writer forces its own record; the default), {@code group} (concurrent
 *       writers share one force), each optionally with {@code +single-flush} ({@code
 *       sync.single.flush=true}: one device flush per force instead of two). {@code put} is
 *       thread-safe.
 *   <li>{@link #putBatch} is one {@link WriteBatch} applied by {@code write(batch)}: one append
 *       of all its records, atomic with respect to crashes. {@link #syncWrites()} is {@code
 *       sync()}.
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

    /** The W3 variants, the headline ({@code always}, the W3 target) first. */
    static final String ALWAYS = "always";
    static final String GROUP = "group";
    static final String SINGLE_FLUSH_SUFFIX = "+single-flush";
    static final List<String> DURABLE_VARIANTS = List.of(ALWAYS, GROUP, ALWAYS + SINGLE_FLUSH_SUFFIX,
            GROUP + SINGLE_FLUSH_SUFFIX);

    private SyncMode eachWriteMode = SyncMode.ALWAYS;
    private boolean singleFlush;
    private Mapcask db;
    private final WriteBatch batch = new WriteBatch();

    /**
     * Chooses how {@link Durability#EACH_WRITE} is met; call before {@link #open}.
     *
     * @param variant one of {@link #DURABLE_VARIANTS}
     */
    void durableVariant(String variant) {
        if (!DURABLE_VARIANTS.contains(variant)) {
            throw new IllegalArgumentException("mapcaskSync must be one of " + DURABLE_VARIANTS + ", was '" + variant + "'");
        }
        singleFlush = variant.endsWith(SINGLE_FLUSH_SUFFIX);
        eachWriteMode = variant.startsWith(GROUP) ? SyncMode.GROUP : SyncMode.ALWAYS;
    }

    @Override
    public void open(Path dir, Durability durability, int valueSize, int keyCount) {
        MapcaskOptions.Builder b = MapcaskOptions.builder();
        if (durability == Durability.EACH_WRITE) {
            b.syncMode(eachWriteMode).syncSingleFlush(singleFlush);
        } else {
            b.syncMode(SyncMode.NONE);
        }
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
    public void putBatch(byte[][] keys, byte[][] values, int from, int to) {
        batch.clear();
        for (int i = from; i < to; i++) {
            batch.put(keys[i], values[i]);
        }
        db.write(batch);
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
    public List<String> jvmFlags() {
        // Already in every fork (BenchMain.BASE_JVM_FLAGS); named here as what Mapcask needs.
        return List.of("--enable-native-access=ALL-UNNAMED");
    }
}
