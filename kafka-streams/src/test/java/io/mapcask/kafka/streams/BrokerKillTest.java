package io.mapcask.kafka.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.Mapcask;
import io.mapcask.kafka.streams.example.WordCountExample;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example's word count on Mapcask, exactly-once with transactional state stores, killed
 * with SIGKILL in the middle of its input and restarted. The app runs in a child JVM, so the kill
 * is a real process death: no store is closed or committed, no transaction finished, no
 * shutdown hook run; what the dead process wrote to its page cache survives, as after any
 * process crash (a power loss is the business of Mapcask's own crash tests).
 */
class BrokerKillTest {
    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension();

    @TempDir
    Path dir;

    @Test
    void shouldKeepOffsetsAndDataInAgreementAndCountEveryWordOnceWhenTheAppIsKilled() throws Exception {
        long seed = Seeded.seed(0x5eed_0005L);
        String context = Seeded.context(seed);
        List<String> lines = WordCountApp.lines(Seeded.random(seed), 8000);
        Path stateDir = dir.resolve("state");

        Process child = startChild(stateDir);
        AtomicInteger sent = new AtomicInteger();
        Thread feeder;
        try {
            awaitRunning(child);
            // Lines arrive at a steady pace, so the app is always in the middle of a commit
            // interval (writes buffered, a transaction open) when it dies.
            feeder = Thread.ofPlatform().start(() -> feed(lines, sent));
            awaitFirstCommitAndHalfTheInput(sent, lines.size());
        } finally {
            child.destroyForcibly(); // SIGKILL
            child.waitFor(30, TimeUnit.SECONDS);
        }
        feeder.join();
        long processedBeforeKill = committedInput();
        assertTrue(processedBeforeKill > 0 && processedBeforeKill < lines.size(),
                context + "the kill landed in the middle of the input: " + processedBeforeKill + " of " + lines.size());

        // What the dead process left: each store's data is exactly its changelog up to the offset it committed.
        Map<TopicPartition, Long> committed = assertStoresAgreeWithTheirChangelog(stateDir, context);
        assertFalse(committed.isEmpty(), context + "some store committed before the kill");

        WordCountApp.RestoreTally tally = new WordCountApp.RestoreTally();
        try (WordCountApp.Running app = WordCountApp.start(BROKER.bootstrap(), stateDir, tally)) {
            WordCountApp.awaitCounts(app.streams(), WordCountApp.expectedCounts(lines), WordCountApp.TIMEOUT);
        }
        committed.forEach((tp, offset) -> {
            Long start = tally.startOffsets.get(tp);
            if (start != null) {
                assertEquals(offset + 1, start, context + "the restore of " + tp + " starts after the committed offset");
            }
        });
        long changelogRecords = WordCountApp.readCommitted(BROKER.bootstrap(), WordCountApp.CHANGELOG).size();
        assertTrue(tally.restored.get() < changelogRecords, context + "only the tail was restored: "
                + tally.restored.get() + " of " + changelogRecords + " changelog records");

        // Every word was counted once per occurrence, each count emitted exactly once: 1, 2, ..., n.
        Map<String, List<Long>> emitted = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : WordCountApp.readCommitted(BROKER.bootstrap(), WordCountExample.OUTPUT)) {
            emitted.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), w -> new ArrayList<>())
                    .add(ByteBuffer.wrap(r.value()).getLong());
        }
        WordCountApp.expectedCounts(lines).forEach((word, n) -> {
            List<Long> oneToN = new ArrayList<>();
            for (long i = 1; i <= n; i++) {
                oneToN.add(i);
            }
            assertEquals(oneToN, emitted.get(word), context + "the counts emitted for '" + word + "'");
        });
    }

    private Process startChild(Path stateDir) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                WordCountApp.class.getName(), BROKER.bootstrap(), stateDir.toString());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        return pb.redirectOutput(dir.resolve("child.out").toFile()).redirectError(dir.resolve("child.err").toFile())
                .start();
    }

    private void awaitRunning(Process child) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WordCountApp.TIMEOUT.toNanos();
        while (!Files.readString(dir.resolve("child.out")).contains("RUNNING")) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the child app did not reach RUNNING (alive: " + child.isAlive()
                        + "); its stderr:\n" + Files.readString(dir.resolve("child.err")));
            }
            Thread.sleep(50);
        }
    }

    /** 200 lines every 50 ms: about 2 s for the whole input. */
    private static void feed(List<String> lines, AtomicInteger sent) {
        try (KafkaProducer<String, String> producer = WordCountApp.producer(BROKER.bootstrap())) {
            for (int i = 0; i < lines.size(); i++) {
                producer.send(new ProducerRecord<>(WordCountExample.INPUT, lines.get(i)));
                if (i % 200 == 199) {
                    producer.flush();
                    sent.set(i + 1);
                    Thread.sleep(50);
                }
            }
            producer.flush();
            sent.set(lines.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitFirstCommitAndHalfTheInput(AtomicInteger sent, int total) throws Exception {
        long deadline = System.nanoTime() + WordCountApp.TIMEOUT.toNanos();
        while (committedInput() == 0 || sent.get() < total / 2) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the child app committed nothing within " + WordCountApp.TIMEOUT);
            }
            Thread.sleep(20);
        }
    }

    /** @return the input lines whose processing the app's consumer group committed */
    private static long committedInput() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrap()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin
                    .listConsumerGroupOffsets(WordCountExample.APPLICATION_ID).partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(WordCountExample.INPUT))
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    /**
     * Opens every Mapcask store of the dead app and checks that its user entries are exactly its
     * changelog partition folded up to the offset the store committed (read_committed).
     *
     * @return the committed offset of each store's changelog partition that has one
     */
    private static Map<TopicPartition, Long> assertStoresAgreeWithTheirChangelog(Path stateDir, String context)
            throws IOException {
        List<ConsumerRecord<byte[], byte[]>> changelog = WordCountApp.readCommitted(BROKER.bootstrap(), WordCountApp.CHANGELOG);
        Map<TopicPartition, Long> committed = new HashMap<>();
        List<Path> stores;
        try (Stream<Path> files = Files.walk(stateDir)) {
            stores = files.filter(p -> p.getFileName().toString().equals(WordCountExample.STORE)
                    && p.getParent().getFileName().toString().equals(MapcaskKeyValueStore.DIRECTORY)).toList();
        }
        assertEquals(2, stores.size(), context + "one store per task: " + stores);
        for (Path store : stores) {
            try (Mapcask db = Mapcask.open(store)) {
                byte[] offsets = db.get(StoreLayout.OFFSETS_KEY);
                if (offsets == null) {
                    continue;
                }
                Map<TopicPartition, Long> storeOffsets = StoreLayout.decodeOffsets(offsets, "committed offsets");
                assertEquals(1, storeOffsets.size(), context + store + " has one changelog partition");
                Map.Entry<TopicPartition, Long> offset = storeOffsets.entrySet().iterator().next();
                if (offset.getValue() >= 0) { // Kafka Streams commits -4 for "no changelog offset known yet"
                    committed.put(offset.getKey(), offset.getValue());
                }

                Map<Bytes, Bytes> expected = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : changelog) {
                    if (r.partition() == offset.getKey().partition() && r.offset() <= offset.getValue()) {
                        if (r.value() == null) {
                            expected.remove(Bytes.wrap(r.key()));
                        } else {
                            expected.put(Bytes.wrap(r.key()), Bytes.wrap(r.value()));
                        }
                    }
                }
                Map<Bytes, Bytes> actual = new HashMap<>();
                db.forEach((key, value) -> {
                    if (StoreLayout.isUserKey(key)) {
                        actual.put(StoreLayout.userKey(key), Bytes.wrap(value));
                    }
                });
                assertEquals(expected, actual, context + store + ": data and committed offset " + offset + " agree");
                assertFalse(db.containsKey(StoreLayout.DIRTY_KEY), context + store + " holds no uncommitted writes");
            }
        }
        return committed;
    }
}
