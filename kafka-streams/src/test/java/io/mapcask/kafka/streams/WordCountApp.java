package io.mapcask.kafka.streams;

import io.mapcask.kafka.streams.example.WordCountExample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * The example's word count as the broker tests run it: its topology and configuration, with the
 * record cache off (so every count update reaches the output topic, and the output of a word is
 * exactly 1, 2, 3, ... under exactly-once) and short session timeouts (so a restarted instance
 * takes over quickly). Also the input the tests write, and what they read back.
 */
final class WordCountApp {
    /** How long a broker test waits for the app to get anywhere. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** The changelog topic of the example's store. */
    static final String CHANGELOG = WordCountExample.APPLICATION_ID + "-" + WordCountExample.STORE + "-changelog";
    private static final List<String> VOCABULARY = List.of("apple", "brook", "cedar", "delta", "ember", "fjord",
            "grove", "heron", "inlet", "juniper", "kelp", "lumen", "maple", "north", "opal", "pine", "quartz",
            "river", "slate", "tide", "umber", "vale", "willow", "xenon", "yarrow", "zephyr");

    private WordCountApp() {
    }

    static Properties config(String bootstrap, Path stateDir) {
        Properties config = WordCountExample.config(bootstrap, stateDir);
        config.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 3000);
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        return config;
    }

    /** A started app; closing it leaves the consumer group, so that the next instance need not wait for its session to time out. */
    record Running(KafkaStreams streams) implements AutoCloseable {
        @Override
        public void close() {
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
    }

    static Running start(String bootstrap, Path stateDir, StateRestoreListener restoreListener) {
        KafkaStreams streams = new KafkaStreams(WordCountExample.topology(), config(bootstrap, stateDir));
        if (restoreListener != null) {
            streams.setGlobalStateRestoreListener(restoreListener);
        }
        streams.start();
        return new Running(streams);
    }

    /** @return {@code count} lines of 1 to 4 words of a small vocabulary */
    static List<String> lines(Random random, int count) {
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder line = new StringBuilder();
            for (int w = 1 + random.nextInt(4); w > 0; w--) {
                line.append(VOCABULARY.get(random.nextInt(VOCABULARY.size()))).append(' ');
            }
            lines.add(line.toString().trim());
        }
        return lines;
    }

    static Map<String, Long> expectedCounts(List<String> lines) {
        Map<String, Long> counts = new TreeMap<>();
        for (String line : lines) {
            for (String word : line.toLowerCase(Locale.ROOT).split("\\W+")) {
                counts.merge(word, 1L, Long::sum);
            }
        }
        return counts;
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new StringSerializer());
    }

    static void produce(String bootstrap, List<String> lines) {
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            for (String line : lines) {
                producer.send(new ProducerRecord<>(WordCountExample.INPUT, line));
            }
        }
    }

    /**
     * Waits until the interactive queries of {@code streams} answer exactly {@code expected}.
     *
     * @return the answers
     * @throws AssertionError after {@code timeout}, naming the last answer or failure
     */
    static Map<String, Long> awaitCounts(KafkaStreams streams, Map<String, Long> expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<String, Long> counts = WordCountExample.counts(streams);
                if (counts.equals(expected)) {
                    return counts;
                }
                last = counts;
            } catch (RuntimeException notYet) { // not running yet, rebalancing, restoring
                last = notYet;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the counts did not reach the expected ones within " + timeout + " (state "
                + streams.state() + "); last answer: " + last + "; expected: " + expected);
    }

    /** @return every record of {@code topic} that committed transactions (or no transaction) wrote, by partition in offset order */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrap, String topic) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("reading " + topic + " to " + end + " took over 30 s");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        return records;
    }

    /** Adds up what Kafka Streams restored, per changelog partition, and where each restore started. */
    static final class RestoreTally implements StateRestoreListener {
        final Map<TopicPartition, Long> startOffsets = new ConcurrentHashMap<>();
        final AtomicLong restored = new AtomicLong();

        @Override
        public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
            startOffsets.put(partition, startingOffset);
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
            restored.addAndGet(numRestored);
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        }
    }

    /** Runs the app in a child JVM until the parent kills it; prints RUNNING when it is. Arguments: bootstrap, state directory. */
    public static void main(String[] args) throws InterruptedException {
        KafkaStreams streams = new KafkaStreams(WordCountExample.topology(), config(args[0], Path.of(args[1])));
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                System.out.println("RUNNING");
                System.out.flush();
            }
        });
        streams.start();
        Thread.sleep(Long.MAX_VALUE);
    }
}
