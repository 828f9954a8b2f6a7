package io.mapcask.kafka.streams;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Throughput of a simple aggregation (a sum per key) on a Mapcask store and on Kafka Streams'
 * RocksDB store, both through {@link TopologyTestDriver}, in one run. Not a test: run it with
 * {@code kafka-streams/run throughput} (about a minute); docs/kafka-streams.md has the figures.
 *
 * <p>The driver commits the task after every input record, and a Mapcask commit writes one
 * batch and syncs, while a RocksDB commit (its WAL is off) syncs nothing. Two shapes of the same
 * aggregation show both sides of that:
 *
 * <ul>
 *   <li><b>one update per record</b>: the DSL's {@code groupByKey().aggregate(...)}; each input
 *       record is one store update and one commit, so the commit dominates;
 *   <li><b>1,000 updates per record</b>: a processor that adds each of the 1,000 (key, amount) pairs
 *       of an input record into the store, so the store's reads and writes dominate.
 * </ul>
 */
public final class AggregationThroughput {
    private static final int KEYS = 10_000;
    private static final int PAIRS_PER_RECORD = 1000;

    private AggregationThroughput() {
    }

    public static void main(String[] args) throws IOException {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path work = Files.createTempDirectory("mapcask-kafka-throughput");
        try {
            System.out.printf(Locale.ROOT, "%-26s %-8s %10s %14s %14s%n", "shape", "store", "records", "records/s",
                    "updates/s");
            for (boolean measured : new boolean[] {false, true}) { // a warm-up round first
                int n = measured ? records : records / 10;
                for (Shape shape : Shape.values()) {
                    for (StoreKind kind : StoreKind.values()) {
                        int inputs = shape == Shape.MANY_UPDATES ? n / 40 : n;
                        double seconds = run(shape, kind, inputs, work.resolve(shape + "-" + kind + "-" + measured));
                        if (measured) {
                            System.out.printf(Locale.ROOT, "%-26s %-8s %10d %14.0f %14.0f%n", shape.label, kind.label,
                                    inputs, inputs / seconds, inputs * (double) shape.updatesPerRecord / seconds);
                        }
                    }
                }
            }
        } finally {
            TestFiles.deleteTree(work);
        }
    }

    private enum StoreKind {
        ROCKSDB("rocksdb", Stores::persistentKeyValueStore),
        MAPCASK("mapcask", MapcaskStores::keyValueStore);

        final String label;
        final Function<String, KeyValueBytesStoreSupplier> supplier;

        StoreKind(String label, Function<String, KeyValueBytesStoreSupplier> supplier) {
            this.label = label;
            this.supplier = supplier;
        }
    }

    private enum Shape {
        ONE_UPDATE("1 update per record", 1),
        MANY_UPDATES(PAIRS_PER_RECORD + " updates per record", PAIRS_PER_RECORD);

        final String label;
        final int updatesPerRecord;

        Shape(String label, int updatesPerRecord) {
            this.label = label;
            this.updatesPerRecord = updatesPerRecord;
        }
    }

    /** @return the seconds the driver took to process {@code inputs} records */
    private static double run(Shape shape, StoreKind kind, int inputs, Path stateDir) {
        Random random = new Random(42);
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "throughput");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(topology(shape, kind.supplier.apply("totals")), config)) {
            if (shape == Shape.ONE_UPDATE) {
                TestInputTopic<String, Long> in = driver.createInputTopic("amounts", Serdes.String().serializer(),
                        Serdes.Long().serializer());
                long start = System.nanoTime();
                for (int i = 0; i < inputs; i++) {
                    in.pipeInput("account-" + random.nextInt(KEYS), (long) random.nextInt(100));
                }
                return (System.nanoTime() - start) / 1e9;
            }
            TestInputTopic<String, byte[]> in = driver.createInputTopic("amounts", Serdes.String().serializer(),
                    Serdes.ByteArray().serializer());
            long start = System.nanoTime();
            for (int i = 0; i < inputs; i++) {
                ByteBuffer pairs = ByteBuffer.allocate(PAIRS_PER_RECORD * 2 * Integer.BYTES);
                for (int p = 0; p < PAIRS_PER_RECORD; p++) {
                    pairs.putInt(random.nextInt(KEYS)).putInt(random.nextInt(100));
                }
                in.pipeInput("batch-" + i, pairs.array());
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private static Topology topology(Shape shape, KeyValueBytesStoreSupplier store) {
        StreamsBuilder builder = new StreamsBuilder();
        if (shape == Shape.ONE_UPDATE) {
            builder.stream("amounts", Consumed.with(Serdes.String(), Serdes.Long()))
                    .groupByKey()
                    .aggregate(() -> 0L, (key, amount, total) -> total + amount,
                            Materialized.<String, Long>as(store).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
            return builder.build();
        }
        builder.addStateStore(Stores.keyValueStoreBuilder(store, Serdes.Integer(), Serdes.Long()));
        builder.stream("amounts", Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .process(() -> new PairSummer(store.name()), store.name());
        return builder.build();
    }

    /** Adds each (key, amount) pair of a record into the store. */
    private static final class PairSummer implements Processor<String, byte[], Void, Void> {
        private final String storeName;
        private KeyValueStore<Integer, Long> totals;

        PairSummer(String storeName) {
            this.storeName = storeName;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            totals = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            ByteBuffer pairs = ByteBuffer.wrap(record.value());
            while (pairs.hasRemaining()) {
                int key = pairs.getInt();
                int amount = pairs.getInt();
                Long total = totals.get(key);
                totals.put(key, (total == null ? 0 : total) + amount);
            }
        }
    }
}
