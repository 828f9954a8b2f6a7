package io.mapcask.jmh;

import java.nio.file.Path;

/**
 * The one small interface every engine under benchmark is wrapped behind, so that each peer is
 * one class and every suite runs unchanged against all of them.
 *
 * <p>Contract (Mapcask's own): {@link #put} keeps neither array, {@link #get} returns an array
 * the caller owns, or null when the key is absent. Implementations need not be thread-safe
 * beyond what the engine itself offers.
 */
public interface KvEngine extends AutoCloseable {

    /**
     * Opens (or creates) the engine's store in {@code dir}, an empty directory that the
     * benchmark deletes after {@link #close()}. In-memory engines ignore it.
     */
    void open(Path dir);

    void put(byte[] key, byte[] value);

    /** @return the value, or null when the key is absent */
    byte[] get(byte[] key);

    @Override
    void close();

    /**
     * @param name {@code mapcask} or {@code chm}, as in the benchmarks' {@code engine} parameter
     * @return a new, unopened engine
     */
    static KvEngine create(String name) {
        return switch (name) {
            case MapcaskEngine.NAME -> new MapcaskEngine();
            case ConcurrentHashMapEngine.NAME -> new ConcurrentHashMapEngine();
            default -> throw new IllegalArgumentException(
                    "unknown engine '" + name + "'; known: " + MapcaskEngine.NAME + ", " + ConcurrentHashMapEngine.NAME);
        };
    }
}
