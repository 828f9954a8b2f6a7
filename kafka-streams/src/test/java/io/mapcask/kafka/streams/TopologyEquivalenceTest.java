package io.mapcask.kafka.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Topologies with their state materialized in Mapcask produce what the same topologies produce
 * on Kafka Streams' default RocksDB store: every output record, in order, and the final state.
 */
class TopologyEquivalenceTest {
    private static final List<String> WORDS = List.of("kafka", "streams", "mapcask", "state", "store", "log",
            "segment", "crash", "safe", "a", "b", "c");

    @TempDir
    Path stateDir;

    /** Counts the words of the lines of topic "lines" into store "counts" and topic "word-counts". */
    static Topology wordCount(KeyValueBytesStoreSupplier store) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("lines", Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.split(" ")))
                .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
                .count(Materialized.<String, Long>as(store).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                .toStream()
                .to("word-counts", Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    /**
     * Reads topic "balances" (account to balance) as a table and sums the balances per region (the
     * account's first letter) into store "region-totals" and topic "region-totals": a table
     * aggregation, whose updates subtract an account's old balance and add its new one.
     */
    static Topology tableAggregation(KeyValueBytesStoreSupplier source, KeyValueBytesStoreSupplier totals) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table("balances", Consumed.with(Serdes.String(), Serdes.Long()),
                        Materialized.<String, Long>as(source).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                .groupBy((account, balance) -> KeyValue.pair(account.substring(0, 1), balance),
                        Grouped.with(Serdes.String(), Serdes.Long()))
                .aggregate(() -> 0L, (region, balance, total) -> total + balance,
                        (region, balance, total) -> total - balance,
                        Materialized.<String, Long>as(totals).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                .toStream()
                .to("region-totals", Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    @Test
    void shouldCountWordsAsRocksDbDoes() {
        long seed = Seeded.seed(0x5eed_0002L);
        Random random = Seeded.random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            StringBuilder line = new StringBuilder(WORDS.get(random.nextInt(WORDS.size())));
            for (int w = random.nextInt(6); w > 0; w--) {
                line.append(' ').append(WORDS.get(random.nextInt(WORDS.size())));
            }
            lines.add(line.toString());
        }
        Function<KeyValueBytesStoreSupplier, Run> run = store -> runWordCount(wordCount(store), lines);
        Run rocks = run.apply(Stores.persistentKeyValueStore("counts"));
        Run mapcask = run.apply(MapcaskStores.keyValueStore("counts"));
        assertFalse(rocks.output().isEmpty());
        assertEquals(rocks, mapcask, Seeded.context(seed));
    }

    @Test
    void shouldAggregateATableAsRocksDbDoes() {
        long seed = Seeded.seed(0x5eed_0003L);
        Random random = Seeded.random(seed);
        List<KeyValue<String, Long>> updates = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String account = (char) ('a' + random.nextInt(5)) + "-" + random.nextInt(20);
            updates.add(KeyValue.pair(account, random.nextInt(10) == 0 ? null : (long) random.nextInt(1000)));
        }
        Run rocks = runTableAggregation(tableAggregation(Stores.persistentKeyValueStore("balances"),
                Stores.persistentKeyValueStore("region-totals")), updates);
        Run mapcask = runTableAggregation(tableAggregation(MapcaskStores.keyValueStore("balances"),
                MapcaskStores.keyValueStore("region-totals")), updates);
        assertFalse(rocks.output().isEmpty());
        assertEquals(rocks, mapcask, Seeded.context(seed));
    }

    /** What a run produced: every output record in order, and the final content of the store. */
    record Run(List<KeyValue<String, Long>> output, List<KeyValue<String, Long>> state) {
    }

    private Run runWordCount(Topology topology, List<String> lines) {
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, config())) {
            TestInputTopic<String, String> in = driver.createInputTopic("lines", Serdes.String().serializer(),
                    Serdes.String().serializer());
            TestOutputTopic<String, Long> out = driver.createOutputTopic("word-counts", Serdes.String().deserializer(),
                    Serdes.Long().deserializer());
            lines.forEach(in::pipeInput);
            return new Run(out.readKeyValuesToList(), contents(driver.getKeyValueStore("counts")));
        }
    }

    private Run runTableAggregation(Topology topology, List<KeyValue<String, Long>> updates) {
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, config())) {
            TestInputTopic<String, Long> in = driver.createInputTopic("balances", Serdes.String().serializer(),
                    Serdes.Long().serializer());
            TestOutputTopic<String, Long> out = driver.createOutputTopic("region-totals", Serdes.String().deserializer(),
                    Serdes.Long().deserializer());
            updates.forEach(u -> in.pipeInput(u.key, u.value));
            return new Run(out.readKeyValuesToList(), contents(driver.getKeyValueStore("region-totals")));
        }
    }

    private static List<KeyValue<String, Long>> contents(KeyValueStore<String, Long> store) {
        List<KeyValue<String, Long>> entries = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = store.all()) {
            it.forEachRemaining(entries::add);
        }
        return entries;
    }

    private Properties config() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "equivalence");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("run-" + System.nanoTime()).toString());
        return config;
    }
}
