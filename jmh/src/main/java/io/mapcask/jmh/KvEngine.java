package io.mapcask.jmh;

import java.nio.file.Path;
import java.util.List;

/**
 * The one small interface every engine under benchmark is wrapped behind, so that each peer is
 * one class and every workload runs unchanged against all of them.
 *
 * <p>Contract (Mapcask's own): {@link #put} and {@link #putBatch} keep no array, {@link #get}
 * returns an array the caller owns, or null when the key is absent. {@link #get} must be safe
 * from several threads at once (W2 runs two readers), and so must {@link #put} in the durable
 * mode (W3 runs 1, 4 and 16 writers): each adapter either relies on the library's own
 * thread safety or, where the library serializes writers, lets it do so, and says which in its
 * class comment. Everything else ({@link #putBatch}, {@link #sync}, {@link #compact}, {@link
 * #open}, {@link #close}) comes from one thread.
 *
 * <p>Each implementation also carries what the runner ({@link BenchMain}) needs before it forks
 * a JVM for it: the JVM flags that engine alone needs ({@link #jvmFlags()}, passed to its forks
 * only) and what it can do ({@link #persistent()}, {@link #durableWrites()}, {@link
 * #compacts()}); a workload the engine cannot run is left out with a message, not run and failed.
 * Constructors do no work (no native library is loaded before {@link #open}).
 */
public interface KvEngine extends AutoCloseable {

    /** When a write becomes durable. */
    enum Durability {
        /** Nothing is forced per write; the engine's own no-sync mode (W1, W2, W5, W6). */
        NONE,
        /** Each {@link #put} is durable when it returns (W3). */
        EACH_WRITE
    }

    /** Every engine, in the order of the tables: Mapcask first, the in-memory ceiling last. */
    List<String> NAMES = List.of(
            MapcaskEngine.NAME,
            RocksDbEngine.NAME,
            LmdbEngine.NAME,
            ChronicleMapEngine.NAME,
            MapDbEngine.NAME,
            MvStoreEngine.NAME,
            ConcurrentHashMapEngine.NAME);

    /**
     * Opens (or reopens) the engine's store in {@code dir}: created empty by the benchmark,
     * deleted by it after {@link #close()}. In-memory engines ignore it.
     *
     * @param valueSize the size of every value the benchmark writes (engines that size their
     *     files up front use it)
     * @param keyCount the number of distinct keys the benchmark writes
     */
    void open(Path dir, Durability durability, int valueSize, int keyCount);

    void put(byte[] key, byte[] value);

    /**
     * Writes {@code keys[i] -> values[i]} for every {@code i} in {@code [from, to)} through the
     * engine's batch path (W4), no more durable than a {@link #put} in the mode the engine was
     * opened in. The default puts one by one, for engines whose batch API would add nothing.
     */
    default void putBatch(byte[][] keys, byte[][] values, int from, int to) {
        for (int i = from; i < to; i++) {
            put(keys[i], values[i]);
        }
    }

    /** @return the value, or null when the key is absent */
    byte[] get(byte[] key);

    /**
     * Makes everything written so far durable and on disk in the engine's files (memtables,
     * page caches, write buffers), so that the bytes in the directory mean something (W6).
     */
    void sync();

    /**
     * Makes every write so far durable by the engine's cheapest means (W4 ends its timing with
     * it): {@link #sync()} unless the engine can be durable with less work (RocksDB: force the
     * write-ahead log, without flushing the memtable into a table file).
     */
    default void syncWrites() {
        sync();
    }

    /** Reclaims the space of overwritten values, if the engine can ({@link #compacts()}). */
    void compact();

    @Override
    void close();

    /** @return the engine's name, as in the benchmarks' {@code engine} parameter */
    String name();

    /** @return the library and version under benchmark, for the report */
    String version();

    /** @return JVM flags this engine needs, given to its forks only */
    default List<String> jvmFlags() {
        return List.of();
    }

    /** @return false for an in-memory engine (no reopen, no disk bytes: W5, W6 skip it) */
    default boolean persistent() {
        return true;
    }

    /** @return false when the engine has no way to make a single write durable (W3 skips it) */
    default boolean durableWrites() {
        return true;
    }

    /** @return false when {@link #compact()} does nothing (W6 still reports its bytes) */
    default boolean compacts() {
        return true;
    }

    /**
     * @param name one of {@link #NAMES}
     * @return a new, unopened engine
     */
    static KvEngine create(String name) {
        return switch (name) {
            case MapcaskEngine.NAME -> new MapcaskEngine();
            case RocksDbEngine.NAME -> new RocksDbEngine();
            case LmdbEngine.NAME -> new LmdbEngine();
            case ChronicleMapEngine.NAME -> new ChronicleMapEngine();
            case MapDbEngine.NAME -> new MapDbEngine();
            case MvStoreEngine.NAME -> new MvStoreEngine();
            case ConcurrentHashMapEngine.NAME -> new ConcurrentHashMapEngine();
            default -> throw new IllegalArgumentException(
                    "unknown engine '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }

    /**
     * @param property a key of {@code versions.properties}, which Maven fills from {@code
     *     jmh/pom.xml} (so the report names the versions that were built)
     * @return the version, or "?" when the resource is missing
     */
    static String version(String property) {
        try (var in = KvEngine.class.getResourceAsStream("versions.properties")) {
            if (in == null) {
                return "?";
            }
            var p = new java.util.Properties();
            p.load(in);
            return p.getProperty(property, "?");
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
