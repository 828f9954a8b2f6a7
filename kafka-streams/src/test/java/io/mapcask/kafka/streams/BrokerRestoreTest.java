package io.mapcask.kafka.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mapcask.kafka.streams.example.WordCountExample;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example's word count on Mapcask against a real broker: its state survives a clean restart
 * without any restore (the store holds its committed offsets), and a wiped state directory is
 * rebuilt from the changelog to answer exactly as before.
 */
class BrokerRestoreTest {
    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension();

    @TempDir
    Path dir;

    @Test
    void shouldAnswerAsBeforeAfterACleanRestartAndAfterTheStateDirectoryIsWiped() throws Exception {
        long seed = Seeded.seed(0x5eed_0004L);
        List<String> lines = WordCountApp.lines(Seeded.random(seed), 3000);
        Map<String, Long> expected = WordCountApp.expectedCounts(lines);
        WordCountApp.produce(BROKER.bootstrap(), lines);
        Path stateDir = dir.resolve("state");

        Map<String, Long> before;
        try (WordCountApp.Running app = WordCountApp.start(BROKER.bootstrap(), stateDir, null)) {
            KafkaStreams streams = app.streams();
            before = WordCountApp.awaitCounts(streams, expected, WordCountApp.TIMEOUT);
            String word = expected.keySet().iterator().next();
            assertEquals(expected.get(word), WordCountExample.count(streams, word), "a key query");
        }

        WordCountApp.RestoreTally cleanRestart = new WordCountApp.RestoreTally();
        try (WordCountApp.Running app = WordCountApp.start(BROKER.bootstrap(), stateDir, cleanRestart)) {
            assertEquals(before, WordCountApp.awaitCounts(app.streams(), expected, WordCountApp.TIMEOUT));
        }
        assertEquals(0, cleanRestart.restored.get(),
                Seeded.context(seed) + "a clean restart restores nothing: the stores hold their committed offsets");

        TestFiles.deleteTree(stateDir);
        WordCountApp.RestoreTally afterWipe = new WordCountApp.RestoreTally();
        try (WordCountApp.Running app = WordCountApp.start(BROKER.bootstrap(), stateDir, afterWipe)) {
            assertEquals(before, WordCountApp.awaitCounts(app.streams(), expected, WordCountApp.TIMEOUT));
        }
        long changelogRecords = WordCountApp.readCommitted(BROKER.bootstrap(), WordCountApp.CHANGELOG).size();
        assertTrue(changelogRecords > 0);
        assertEquals(changelogRecords, afterWipe.restored.get(),
                Seeded.context(seed) + "a wiped store is restored from the whole changelog");
    }
}
