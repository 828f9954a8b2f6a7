package io.mapcask.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * H2's MVStore ({@code com.h2database:h2-mvstore}), the log-structured copy-on-write B-tree under
 * the H2 database, used directly as a key-value store in one file.
 *
 * <ul>
 *   <li>One {@code MVMap<byte[], byte[]>} (H2's default object type compares {@code byte[]}
 *       keys bytewise); a 256 MiB page cache ({@code cacheSize(256)}), as RocksDB's block
 *       cache; no compression (random values).
 *   <li>{@link Durability#NONE}: auto-commit on (H2's default: a background thread writes the
 *       changes about once a second or when 1 MiB of them is pending; a crash loses at most
 *       that, the file stays consistent).
 *   <li>{@link Durability#EACH_WRITE}: auto-commit off, and after each put {@code commit()}
 *       (writes a new chunk) and {@code sync()} (forces the file).
 *   <li>{@code put} stores copies of key and value, {@code get} returns a copy: MVStore keeps the
 *       objects themselves in its in-memory pages, so without copies a caller could change a
 *       stored value (Mapcask's contract, which every engine here keeps).
 *   <li>Concurrent writers (W3 at 4 and 16 threads) rely on MVStore's own thread safety: {@code
 *       MVMap} takes concurrent puts, {@code commit()} runs under the store's lock (MVStore
 *       serializes commits; a commit writes every change made so far, so a writer may find its
 *       put already in another writer's chunk), {@code sync()} forces the file.
 *   <li>{@link #putBatch} is the default loop of puts (MVStore has no batch write); W4's final
 *       {@link #syncWrites()} is {@link #sync()}.
 *   <li>{@link #sync()} is {@code commit()} + {@code sync()}; {@link #compact()} is {@code
 *       compactFile(60 s)}, H2's full file compaction (rewrites live pages, truncates).
 * </ul>
 */
final class MvStoreEngine implements KvEngine {
    static final String NAME = "mvstore";
    static final int CACHE_MIB = 256;

    private MVStore store;
    private MVMap<byte[], byte[]> map;
    private boolean syncEachWrite;

    @Override
    public void open(Path dir, Durability durability, int valueSize, int keyCount) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        syncEachWrite = durability == Durability.EACH_WRITE;
        MVStore.Builder b = new MVStore.Builder().fileName(dir.resolve("store.mv.db").toString()).cacheSize(CACHE_MIB);
        if (syncEachWrite) {
            b.autoCommitDisabled();
        }
        store = b.open();
        map = store.openMap("kv");
    }

    @Override
    public void put(byte[] key, byte[] value) {
        map.put(key.clone(), value.clone());
        if (syncEachWrite) {
            store.commit();
            store.sync();
        }
    }

    @Override
    public byte[] get(byte[] key) {
        byte[] v = map.get(key);
        return v == null ? null : v.clone();
    }

    @Override
    public void sync() {
        store.commit();
        store.sync();
    }

    @Override
    public void compact() {
        store.compactFile(60_000);
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
            store = null;
            map = null;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return "com.h2database:h2-mvstore " + KvEngine.version("h2");
    }
}
