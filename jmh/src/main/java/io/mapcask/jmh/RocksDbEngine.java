package io.mapcask.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB ({@code org.rocksdb:rocksdbjni}, the JNI build of the C++ LSM tree), configured as a
 * user who wants a fast, safe key-value store would:
 *
 * <ul>
 *   <li>Write-ahead log on (the default). {@link Durability#NONE}: {@code
 *       WriteOptions.setSync(false)}, the WAL is written to the OS per put but not forced (RocksDB's
 *       default, crash-safe against a process kill). {@link Durability#EACH_WRITE}: {@code
 *       setSync(true)}, each put forces the WAL ({@code fdatasync}) before it returns.
 *   <li>Block-based tables with a 256 MiB LRU block cache and a full bloom filter of 10 bits a
 *       key (whole-key filtering), so a miss costs no block read in most cases.
 *   <li>No compression: values are random bytes, incompressible, so compression would only cost
 *       CPU (this favours RocksDB slightly).
 *   <li>Everything else at RocksDB's defaults: 64 MiB memtable, level compaction, background
 *       flush and compaction threads ({@code setIncreaseParallelism(2)}: this box has 2 cores).
 *   <li>{@link #put} is thread-safe: with {@code sync=true}, concurrent writers join one
 *       write group and share the WAL's {@code fdatasync} (RocksDB's own group commit; W3 at 4
 *       and 16 threads).
 *   <li>{@link #putBatch} is one {@code WriteBatch} written by {@code write(writeOptions,
 *       batch)}: one WAL record and one memtable insert pass per batch, atomic.
 *   <li>{@link #sync()} flushes the memtable to an SST ({@code flush(waitForFlush)}) and forces
 *       the WAL; {@link #syncWrites()} only forces the WAL ({@code flushWal(true)}): the writes
 *       are durable without a flush of the memtable (W4); {@link #compact()} is a full {@code
 *       compactRange()}.
 *   <li>{@link #get} uses the {@code get(ReadOptions, byte[])} overload that returns a new
 *       array, as Mapcask does.
 * </ul>
 */
final class RocksDbEngine implements KvEngine {
    static final String NAME = "rocksdb";
    static final long BLOCK_CACHE_BYTES = 256L << 20;
    static final double BLOOM_BITS_PER_KEY = 10;

    private Options options;
    private LRUCache cache;
    private BloomFilter bloom;
    private WriteOptions writeOptions;
    private ReadOptions readOptions;
    private RocksDB db;

    @Override
    public void open(Path dir, Durability durability, int valueSize, int keyCount) {
        RocksDB.loadLibrary();
        cache = new LRUCache(BLOCK_CACHE_BYTES);
        bloom = new BloomFilter(BLOOM_BITS_PER_KEY, false);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(bloom)
                .setWholeKeyFiltering(true);
        options = new Options()
                .setCreateIfMissing(true)
                .setIncreaseParallelism(2)
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setTableFormatConfig(table);
        writeOptions = new WriteOptions().setSync(durability == Durability.EACH_WRITE).setDisableWAL(false);
        readOptions = new ReadOptions();
        try {
            Files.createDirectories(dir);
            db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB open of " + dir + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void put(byte[] key, byte[] value) {
        try {
            db.put(writeOptions, key, value);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB put: " + e.getMessage(), e);
        }
    }

    @Override
    public void putBatch(byte[][] keys, byte[][] values, int from, int to) {
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = from; i < to; i++) {
                batch.put(keys[i], values[i]);
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB write of a batch: " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] get(byte[] key) {
        try {
            return db.get(readOptions, key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB get: " + e.getMessage(), e);
        }
    }

    @Override
    public void sync() {
        try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
            db.flush(f);
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB flush: " + e.getMessage(), e);
        }
    }

    @Override
    public void syncWrites() {
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB flushWal: " + e.getMessage(), e);
        }
    }

    @Override
    public void compact() {
        try {
            db.compactRange();
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB compactRange: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (db != null) {
            db.close();
            db = null;
        }
        for (AutoCloseable c : new AutoCloseable[] {readOptions, writeOptions, options, bloom, cache}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        readOptions = null;
        writeOptions = null;
        options = null;
        bloom = null;
        cache = null;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return "org.rocksdb:rocksdbjni " + KvEngine.version("rocksdb");
    }
}
