package io.tenantindex.kafka.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker in KRaft mode (combined broker + controller), started in
 * this JVM from the Maven Central artifacts. The local stack uses it with a data directory that
 * survives restarts; tests use it with a temporary directory and free ports.
 *
 * <p>The settings are the ones a single node needs: replication factor 1 for the internal topics,
 * one partition each (the default 50 slows the first transaction and group join), no initial
 * rebalance delay.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String saslBootstrapServers;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, String saslBootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.saslBootstrapServers = saslBootstrapServers;
    }

    /**
     * Formats {@code dataDir} if it is new (an existing one keeps its cluster id and data) and
     * starts the broker. {@code port} 0 picks a free port; the controller always gets a free one.
     * {@code overrides} are extra broker properties (listeners for SASL, say).
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides) {
        return start(dataDir, port, Map.of(), overrides);
    }

    /**
     * Like {@link #start(Path, int, Map)}, plus a SASL_PLAINTEXT listener (mechanism PLAIN) that
     * accepts {@code users} (name → password), reachable at {@link #saslBootstrapServers()}. The
     * PLAINTEXT listener stays for the broker's own traffic.
     */
    public static EmbeddedKafkaBroker startWithSaslPlain(Path dataDir, Map<String, String> users) {
        return start(dataDir, 0, users, Map.of());
    }

    private static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> saslUsers, Map<String, String> overrides) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory " + dataDir, e);
        }
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Properties props = brokerProperties(dataDir, brokerPort, controllerPort);
        String saslBootstrap = null;
        if (!saslUsers.isEmpty()) {
            int saslPort = freePort();
            saslBootstrap = "127.0.0.1:" + saslPort;
            props.put("listeners", props.get("listeners") + ",SASL_PLAINTEXT://" + saslBootstrap);
            props.put("advertised.listeners", props.get("advertised.listeners") + ",SASL_PLAINTEXT://" + saslBootstrap);
            props.put("listener.security.protocol.map", props.get("listener.security.protocol.map") + ",SASL_PLAINTEXT:SASL_PLAINTEXT");
            props.put("sasl.enabled.mechanisms", "PLAIN");
            StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
            saslUsers.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
            props.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
        }
        props.putAll(overrides);
        KafkaConfig config = new KafkaConfig(props, false);
        format(config, dataDir);

        long started = System.nanoTime();
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        String bootstrap = "127.0.0.1:" + brokerPort;
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, bootstrap, saslBootstrap);
        broker.awaitReady();
        LOG.info("Kafka broker (KRaft) ready at {} in {} ms, data in {}", bootstrap,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataDir);
        return broker;
    }

    private static Properties brokerProperties(Path dataDir, int brokerPort, int controllerPort) {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("logs").toString());
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // The default 128 MiB cleaner buffer is sized for big clusters; this broker shares a JVM.
        p.put("log.cleaner.dedupe.buffer.size", Long.toString(8L * 1024 * 1024));
        p.put("log.cleaner.backoff.ms", "1000");
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    private static void format(KafkaConfig config, Path dataDir) {
        if (Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
            return; // Formatted before: keep its cluster id and data, so a restart is warm.
        }
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(dataDir.resolve("logs").toString())
                    .addDirectory(dataDir.resolve("logs").toString())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka data directory " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka broker did not become ready within 60 s", e);
                    }
                }
            }
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The SASL_PLAINTEXT listener's address; only for a broker from {@link #startWithSaslPlain}. */
    public String saslBootstrapServers() {
        if (saslBootstrapServers == null) {
            throw new IllegalStateException("this broker has no SASL listener");
        }
        return saslBootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker at {} stopped", bootstrapServers);
    }

    /** A port that was free a moment ago (bound and released on loopback). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
