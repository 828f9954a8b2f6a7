package io.mapcask.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * Chronicle Map ({@code net.openhft:chronicle-map}): an off-heap hash map persisted to one
 * memory-mapped file, sized when it is created. The closest peer to Mapcask's read path.
 *
 * <ul>
 *   <li>{@code byte[]} keys and values, {@code entries(keyCount)}, {@code averageKeySize(16)},
 *       {@code averageValueSize(valueSize)}: the sizes the workload writes, as Chronicle's docs
 *       ask; other settings at their defaults (entry checksums on for a persisted map).
 *   <li>Persisted with {@code createPersistedTo(file)}, which also reopens an existing file.
 *   <li>No per-write durability: Chronicle Map writes into the mapped file and leaves writeback
 *       to the OS; it has no {@code fsync}/{@code msync} call, so W3 leaves it out and {@link
 *       #sync()} does nothing. Its file is allocated for {@code entries} up front and is never
 *       compacted, so {@link #compact()} does nothing either.
 *   <li>{@link #putBatch} is the default loop of puts ({@code putAll} loops over the entries
 *       too, after the caller has built a map of them). W4 runs it, but the load is never forced
 *       to disk (see above): its W4 time is that of writing into the mapped file only.
 *   <li>Chronicle's usage analytics are turned off ({@code -Dchronicle.analytics.disable=true};
 *       this machine has no network anyway).
 *   <li>On JDK 17+ Chronicle reaches into JDK internals: its forks get the {@code
 *       --add-opens}/{@code --add-exports} below, which no other engine's fork sees.
 * </ul>
 */
final class ChronicleMapEngine implements KvEngine {
    static final String NAME = "chronicle";

    /** The flags Chronicle's documentation lists for Java 17 and later, plus analytics off. */
    static final List<String> JVM_FLAGS = List.of(
            "-Dchronicle.analytics.disable=true",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

    private ChronicleMap<byte[], byte[]> map;

    @Override
    public void open(Path dir, Durability durability, int valueSize, int keyCount) {
        if (durability == Durability.EACH_WRITE) {
            throw new UnsupportedOperationException("Chronicle Map has no per-write durability");
        }
        try {
            Files.createDirectories(dir);
            map = ChronicleMapBuilder.of(byte[].class, byte[].class)
                    .name("mapcask-bench")
                    .entries(Math.max(keyCount, 1_000))
                    .averageKeySize(KvWorkload.KEY_SIZE)
                    .averageValueSize(valueSize)
                    .createPersistedTo(dir.resolve("chronicle.map").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void put(byte[] key, byte[] value) {
        map.put(key, value);
    }

    @Override
    public byte[] get(byte[] key) {
        return map.get(key);
    }

    @Override
    public void sync() {
        // Nothing to call; see the class comment.
    }

    @Override
    public void compact() {
        // Fixed-size file; see the class comment.
    }

    @Override
    public void close() {
        if (map != null) {
            map.close();
            map = null;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return "net.openhft:chronicle-map " + KvEngine.version("chronicle-map");
    }

    @Override
    public List<String> jvmFlags() {
        return JVM_FLAGS;
    }

    @Override
    public boolean durableWrites() {
        return false;
    }

    @Override
    public boolean compacts() {
        return false;
    }
}
