package io.mapcask.kafka.streams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single Kafka broker in this JVM, in KRaft mode (broker and controller in one node),
 * listening on 127.0.0.1 only, with replication factors of 1 and the timings shortened for
 * tests: no initial rebalance delay, timed-out transactions aborted within half a second, short
 * session timeouts allowed. Starts in about 2 s (DESIGN.md section 10 has the recipe).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaRaftServer server;
    private final String bootstrap;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrap) {
        this.server = server;
        this.bootstrap = bootstrap;
    }

    /** Formats a log directory under {@code dir} and starts the broker on two free ports. */
    public static EmbeddedKafka start(Path dir) throws IOException {
        int port = freePort();
        int controllerPort = freePort();
        Path logDir = Files.createDirectories(dir.resolve("kafka-logs"));
        Properties props = new Properties();
        props.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("log.dirs", logDir.toString()),
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("transaction.state.log.num.partitions", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("group.min.session.timeout.ms", "1000"),
                Map.entry("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500")));
        Path propsFile = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(propsFile)) {
            props.store(out, "in-process test broker");
        }
        ByteArrayOutputStream formatOutput = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
            propsFile.toString(), "--standalone"}, new PrintStream(formatOutput, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException("formatting the broker's log directory failed (" + rc + "): "
                    + formatOutput.toString(StandardCharsets.UTF_8));
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(server, "127.0.0.1:" + port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** @return the {@code bootstrap.servers} of this broker */
    public String bootstrap() {
        return bootstrap;
    }

    /** Creates each topic with {@code partitions} partitions and waits until it exists. */
    public void createTopics(int partitions, String... topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(topics).stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList())
                    .all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("creating topics " + List.of(topics) + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
