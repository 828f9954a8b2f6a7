package io.mapcask.kafka.streams;

import io.mapcask.kafka.streams.example.WordCountExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process broker for a test class, started before its first test with the example's
 * topics (two partitions each), stopped and deleted after its last:
 * {@code @RegisterExtension static final BrokerExtension BROKER = new BrokerExtension();}
 */
final class BrokerExtension implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private EmbeddedKafka broker;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("mapcask-test-broker");
        broker = EmbeddedKafka.start(dir);
        broker.createTopics(2, WordCountExample.INPUT, WordCountExample.OUTPUT);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            TestFiles.deleteTree(dir);
        }
    }

    String bootstrap() {
        return broker.bootstrap();
    }
}
