package io.mapcask.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;

/**
 * MapDB 3 ({@code org.mapdb:mapdb}): an {@code HTreeMap} (segmented hash tree) in a
 * memory-mapped file store.
 *
 * <ul>
 *   <li>{@code DBMaker.fileDB(file).fileMmapEnable()} (mmap instead of {@code RandomAccessFile}),
 *       {@code fileMmapPreclearDisable()} and {@code cleanerHackEnable()} (unmap on close), as
 *       MapDB's docs recommend for speed; {@code Serializer.BYTE_ARRAY} for keys and values.
 *   <li>{@link Durability#NONE}: no transactions, MapDB's fast mode. Writes go into the mapped
 *       file; nothing is forced until {@code commit()} (here {@link #sync()}), and a crash in
 *       between may corrupt the store (MapDB without transactions is not crash-safe, unlike
 *       every other engine here in its no-sync mode).
 *   <li>{@link Durability#EACH_WRITE}: {@code transactionEnable()} (write-ahead log) and {@code
 *       commit()} after each put, which forces the log.
 *   <li>Concurrent writers (W3 at 4 and 16 threads) rely on MapDB's own thread safety (the
 *       default; no {@code concurrencyDisable()}): {@code HTreeMap} locks its segments, and
 *       {@code commit()} runs under the {@code DB}'s write lock, so MapDB serializes the commits
 *       (each still forces the log) and has no group commit.
 *   <li>{@link #putBatch} is the default loop of puts: {@code HTreeMap} has no batch path
 *       ({@code putAll} loops too); W4's final {@link #syncWrites()} is {@code commit()}.
 *   <li>{@link #compact()} is {@code getStore().compact()}.
 * </ul>
 */
final class MapDbEngine implements KvEngine {
    static final String NAME = "mapdb";

    private DB db;
    private HTreeMap<byte[], byte[]> map;
    private boolean commitEachWrite;

    @Override
    public void open(Path dir, Durability durability, int valueSize, int keyCount) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        commitEachWrite = durability == Durability.EACH_WRITE;
        DBMaker.Maker maker = DBMaker.fileDB(dir.resolve("mapdb.db").toFile())
                .fileMmapEnable()
                .fileMmapPreclearDisable()
                .cleanerHackEnable();
        if (commitEachWrite) {
            maker = maker.transactionEnable();
        }
        db = maker.make();
        map = db.hashMap("kv", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen();
    }

    @Override
    public void put(byte[] key, byte[] value) {
        map.put(key, value);
        if (commitEachWrite) {
            db.commit();
        }
    }

    @Override
    public byte[] get(byte[] key) {
        return map.get(key);
    }

    @Override
    public void sync() {
        db.commit();
    }

    @Override
    public void compact() {
        db.getStore().compact();
    }

    @Override
    public void close() {
        if (db != null) {
            db.close();
            db = null;
            map = null;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return "org.mapdb:mapdb " + KvEngine.version("mapdb");
    }
}
