package io.mapcask.kafka.streams;

import io.mapcask.MapcaskOptions;
import java.util.Objects;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;

/**
 * Suppliers of Mapcask state stores for Kafka Streams, the counterpart of {@code
 * Stores.persistentKeyValueStore}:
 *
 * <pre>{@code
 * builder.stream("words", Consumed.with(Serdes.String(), Serdes.String()))
 *        .groupBy((k, word) -> word)
 *        .count(Materialized.as(MapcaskStores.keyValueStore("word-counts")));
 * }</pre>
 */
public final class MapcaskStores {
    private MapcaskStores() {
    }

    /**
     * @param name the store's name (also the name of its folder under each task's state directory)
     * @return a supplier whose every {@code get()} is a new store, with Mapcask options read from
     *     {@code mapcask.*} system properties when the store opens
     * @throws NullPointerException when {@code name} is null
     */
    public static KeyValueBytesStoreSupplier keyValueStore(String name) {
        return new Supplier(Objects.requireNonNull(name, "name"), null);
    }

    /**
     * @param name the store's name (also the name of its folder under each task's state directory)
     * @param options the options of every Mapcask store this supplier opens
     * @return a supplier whose every {@code get()} is a new store
     * @throws NullPointerException when an argument is null
     */
    public static KeyValueBytesStoreSupplier keyValueStore(String name, MapcaskOptions options) {
        return new Supplier(Objects.requireNonNull(name, "name"), Objects.requireNonNull(options, "options"));
    }

    private record Supplier(String name, MapcaskOptions options) implements KeyValueBytesStoreSupplier {
        @Override
        public MapcaskKeyValueStore get() {
            return new MapcaskKeyValueStore(name, options);
        }

        @Override
        public String metricsScope() {
            return "mapcask";
        }
    }
}
