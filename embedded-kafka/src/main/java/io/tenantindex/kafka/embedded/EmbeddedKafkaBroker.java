package io.tenantindex.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real single-node Apache Kafka broker in KRaft mode (combined broker + controller), started in
 * this JVM from the Maven Central artifacts: an {@link EmbeddedKafkaCluster} of one node, so
 * replication factor 1 for the internal topics. The local stack uses it with a data directory that
 * survives restarts; tests use it with a temporary directory and free ports.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final String SASL_LISTENER = "SASL_PLAINTEXT";
    private static final int NODE_ID = 1;

    private final EmbeddedKafkaCluster cluster;
    private final boolean sasl;

    private EmbeddedKafkaBroker(EmbeddedKafkaCluster cluster, boolean sasl) {
        this.cluster = cluster;
        this.sasl = sasl;
    }

    /**
     * Formats {@code dataDir} if it is new (an existing one keeps its cluster id and data) and
     * starts the broker. {@code port} 0 picks a free port; the controller always gets a free one.
     * {@code overrides} are extra broker properties.
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides) {
        return new EmbeddedKafkaBroker(EmbeddedKafkaCluster.start(dataDir, 1, port, overrides), false);
    }

    /**
     * Like {@link #start(Path, int, Map)}, plus a SASL_PLAINTEXT listener (mechanism PLAIN) that
     * accepts {@code users} (name → password), reachable at {@link #saslBootstrapServers()}. The
     * PLAINTEXT listener stays for the broker's own traffic.
     */
    public static EmbeddedKafkaBroker startWithSaslPlain(Path dataDir, Map<String, String> users) {
        Map<String, String> props = new HashMap<>();
        props.put("sasl.enabled.mechanisms", "PLAIN");
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
        props.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
        return new EmbeddedKafkaBroker(EmbeddedKafkaCluster.start(dataDir, 1, 0, Map.of(SASL_LISTENER, "SASL_PLAINTEXT"), props), true);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The SASL_PLAINTEXT listener's address; only for a broker from {@link #startWithSaslPlain}. */
    public String saslBootstrapServers() {
        if (!sasl) {
            throw new IllegalStateException("this broker has no SASL listener");
        }
        return cluster.address(NODE_ID, SASL_LISTENER);
    }

    @Override
    public void close() {
        cluster.close();
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
