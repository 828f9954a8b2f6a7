package io.mapcask.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * LMDB through lmdbjava ({@code org.lmdbjava:lmdbjava}, JNR-FFI onto the bundled liblmdb): a
 * memory-mapped copy-on-write B+tree, one writer at a time, readers without locks.
 *
 * <ul>
 *   <li>{@link Durability#NONE}: {@code MDB_NOSYNC}; each put is its own write transaction,
 *       committed without {@code fsync} (a system crash may lose the last commits, the database
 *       stays consistent). {@link Durability#EACH_WRITE}: LMDB's default, each commit forces the
 *       data and then the meta page.
 *   <li>{@code MDB_NOTLS} (read transactions belong to the object, not the thread; the usual
 *       choice from Java) and a map size of 64 GiB (address space only; the file grows as pages
 *       are used).
 *   <li>{@link #put} is one write transaction in the calling thread; LMDB admits one write
 *       transaction at a time (its writer mutex), so concurrent writers (W3 at 4 and 16 threads)
 *       are serialized by LMDB itself, each committing and forcing on its own; each thread has
 *       its own direct buffers. {@link #putBatch} is one write transaction for the whole batch.
 *   <li>Reads use one read-only transaction per thread, {@code reset()} after and {@code
 *       renew()} before each get (LMDB's recommended way to reuse a reader), direct buffers via
 *       lmdbjava's optimal buffer proxy, and copy the value into a new array, as Mapcask does.
 *   <li>JVM flags, this engine's forks only: {@code --add-opens java.base/java.nio} and {@code
 *       sun.nio.ch} (lmdbjava's optimal buffer proxy reads the address field of direct buffers;
 *       without them its class initializer fails on JDK 17+).
 *   <li>{@link #sync()} is {@code mdb_env_sync(force)}. LMDB has no in-place compaction (freed
 *       pages are reused, the file never shrinks; {@code mdb_env_copy} with {@code
 *       MDB_CP_COMPACT} writes a compacted copy elsewhere), so {@link #compact()} does nothing.
 * </ul>
 */
final class LmdbEngine implements KvEngine {
    static final String NAME = "lmdb";
    static final long MAP_SIZE_BYTES = 64L << 30;
    static final List<String> JVM_FLAGS = List.of(
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

    private Env<ByteBuffer> env;
    private Dbi<ByteBuffer> dbi;
    private final List<Txn<ByteBuffer>> readers = new ArrayList<>();
    private ThreadLocal<Reader> reader;
    private ThreadLocal<Writer> writer;

    /** One thread's reader: its transaction (reset between gets) and key buffer. */
    private final class Reader {
        final Txn<ByteBuffer> txn;
        final ByteBuffer key = ByteBuffer.allocateDirect(KvWorkload.KEY_SIZE * 16);

        Reader() {
            txn = env.txnRead();
            txn.reset();
            synchronized (readers) {
                readers.add(txn);
            }
        }
    }

    /** One thread's direct buffers for writes (LMDB copies them into its pages on put). */
    private static final class Writer {
        final ByteBuffer key;
        ByteBuffer value;

        Writer(int maxKeySize, int valueSize) {
            key = ByteBuffer.allocateDirect(maxKeySize);
            value = ByteBuffer.allocateDirect(valueSize);
        }

        void put(Dbi<ByteBuffer> dbi, Txn<ByteBuffer> txn, byte[] k, byte[] v) {
            key.clear();
            key.put(k).flip();
            if (value.capacity() < v.length) {
                value = ByteBuffer.allocateDirect(v.length);
            }
            value.clear();
            value.put(v).flip();
            dbi.put(txn, key, value);
        }
    }

    @Override
    public void open(Path dir, Durability durability, int valueSize, int keyCount) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EnvFlags[] flags = durability == Durability.EACH_WRITE
                ? new EnvFlags[] {EnvFlags.MDB_NOTLS}
                : new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC};
        env = Env.create().setMapSize(MAP_SIZE_BYTES).setMaxDbs(1).setMaxReaders(126).open(dir.toFile(), flags);
        dbi = env.openDbi("kv", DbiFlags.MDB_CREATE);
        reader = ThreadLocal.withInitial(Reader::new);
        int maxKeySize = env.getMaxKeySize();
        int valueBytes = Math.max(valueSize, 16);
        writer = ThreadLocal.withInitial(() -> new Writer(maxKeySize, valueBytes));
    }

    @Override
    public void put(byte[] key, byte[] value) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            writer.get().put(dbi, txn, key, value);
            txn.commit();
        }
    }

    @Override
    public void putBatch(byte[][] keys, byte[][] values, int from, int to) {
        Writer w = writer.get();
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            for (int i = from; i < to; i++) {
                w.put(dbi, txn, keys[i], values[i]);
            }
            txn.commit();
        }
    }

    @Override
    public byte[] get(byte[] key) {
        Reader r = reader.get();
        r.key.clear();
        r.key.put(key).flip();
        r.txn.renew();
        try {
            ByteBuffer v = dbi.get(r.txn, r.key);
            if (v == null) {
                return null;
            }
            byte[] out = new byte[v.remaining()];
            v.get(out);
            return out;
        } finally {
            r.txn.reset();
        }
    }

    @Override
    public void sync() {
        env.sync(true);
    }

    @Override
    public void compact() {
        // No in-place compaction in LMDB; see the class comment.
    }

    @Override
    public void close() {
        synchronized (readers) {
            for (Txn<ByteBuffer> t : readers) {
                t.close();
            }
            readers.clear();
        }
        reader = null;
        writer = null;
        if (dbi != null) {
            dbi.close();
            dbi = null;
        }
        if (env != null) {
            env.close();
            env = null;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return "org.lmdbjava:lmdbjava " + KvEngine.version("lmdbjava") + " (bundled liblmdb)";
    }

    @Override
    public List<String> jvmFlags() {
        return JVM_FLAGS;
    }

    @Override
    public boolean compacts() {
        return false;
    }
}
