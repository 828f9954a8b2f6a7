package io.mapcask.kafka.streams.example;

import io.mapcask.kafka.streams.EmbeddedKafka;
import io.mapcask.kafka.streams.MapcaskStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Counts the words of the lines of a topic, with the counts in a Mapcask state store, and answers
 * interactive queries about them. Run it with {@code kafka-streams/run example [bootstrap-servers]};
 * without a broker address it starts an in-process one (the tests' broker) in a temporary
 * directory, writes a few lines, prints the counts and stops.
 */
public final class WordCountExample {
    public static final String APPLICATION_ID = "mapcask-word-count";
    public static final String INPUT = "example-lines";
    public static final String OUTPUT = "example-word-counts";
    public static final String STORE = "word-counts";

    private WordCountExample() {
    }

    /** lines → words → counts per word, materialized in the Mapcask store {@value #STORE}, changes to {@value #OUTPUT} */
    public static Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split("\\W+")))
                .filter((key, word) -> !word.isEmpty())
                .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
                .count(Materialized.<String, Long>as(MapcaskStores.keyValueStore(STORE))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.Long()))
                .toStream()
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    /**
     * Exactly-once, with transactional state stores: Kafka Streams then commits the Mapcask store
     * at every commit, so a crash costs only the changelog written since the last commit.
     */
    public static Properties config(String bootstrap, Path stateDir) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);
        return config;
    }

    /**
     * @return the count of {@code word} (an interactive key query of the tasks of this instance;
     *     with several instances, set {@code application.server} and ask the one that {@code
     *     queryMetadataForKey} names), or null when no task of this instance has counted it
     * @throws IllegalStateException when a task cannot answer now (starting, rebalancing, restoring)
     */
    public static Long count(KafkaStreams streams, String word) {
        StateQueryResult<Long> result = streams.query(StateQueryRequest.inStore(STORE)
                .withQuery(KeyQuery.<String, Long>withKey(word)));
        QueryResult<Long> answer;
        try {
            answer = result.getOnlyPartitionResult(); // the task that has the word, or one that failed
        } catch (IllegalArgumentException severalAnswers) {
            throw new IllegalStateException("query for '" + word + "' failed: " + result.getPartitionResults());
        }
        if (answer != null && answer.isFailure()) {
            throw new IllegalStateException("query for '" + word + "' failed: " + answer);
        }
        return answer == null ? null : answer.getResult();
    }

    /** @return every count, asked of every task (a range query without bounds), in word order */
    public static Map<String, Long> counts(KafkaStreams streams) {
        StateQueryResult<KeyValueIterator<String, Long>> result = streams.query(StateQueryRequest.inStore(STORE)
                .withQuery(RangeQuery.<String, Long>withNoBounds()));
        Map<String, Long> counts = new TreeMap<>();
        result.getPartitionResults().forEach((partition, answer) -> {
            if (answer.isFailure()) {
                throw new IllegalStateException("range query of partition " + partition + " failed: " + answer);
            }
            try (KeyValueIterator<String, Long> it = answer.getResult()) {
                it.forEachRemaining((KeyValue<String, Long> kv) -> counts.put(kv.key, kv.value));
            }
        });
        return counts;
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("mapcask-word-count");
        EmbeddedKafka broker = null;
        String bootstrap;
        if (args.length > 0) {
            bootstrap = args[0];
        } else {
            broker = EmbeddedKafka.start(work);
            broker.createTopics(2, INPUT, OUTPUT);
            bootstrap = broker.bootstrap();
        }
        List<String> lines = List.of("Mapcask keeps the state", "Kafka keeps the log",
                "the state is restored from the log", "a crash loses nothing that was committed");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
            for (String line : lines) {
                producer.send(new ProducerRecord<>(INPUT, line));
            }
        }
        try (KafkaStreams streams = new KafkaStreams(topology(), config(bootstrap, work.resolve("state")))) {
            streams.start();
            Map<String, Long> expected = new TreeMap<>();
            for (String line : lines) {
                for (String word : line.toLowerCase(Locale.ROOT).split("\\W+")) {
                    expected.merge(word, 1L, Long::sum);
                }
            }
            // Range queries are answered by the store, which gets the counts from the record
            // cache at each commit (every 100 ms under exactly-once).
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Map<String, Long> counts = Map.of();
            while (!counts.equals(expected)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the lines were not counted within 60 s; state " + streams.state()
                            + ", counts " + counts);
                }
                Thread.sleep(100);
                try {
                    counts = counts(streams);
                } catch (RuntimeException notYet) { // not running yet, or a task is still restoring
                    counts = Map.of();
                }
            }
            System.out.println("count of 'the': " + count(streams, "the"));
            System.out.println("all counts: " + counts(streams));
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }
}
