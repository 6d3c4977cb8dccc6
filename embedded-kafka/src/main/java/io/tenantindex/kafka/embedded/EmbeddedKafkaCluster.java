package io.tenantindex.kafka.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real Apache Kafka nodes in KRaft mode, started in this JVM from the Maven Central artifacts:
 * one node for the local stack and most tests, three for the production shape. Every node is a
 * combined broker + controller, so three nodes are also a three-voter controller quorum: losing
 * any one node (the one a test stops, say) leaves both a metadata quorum and two replicas of
 * every partition, with no fourth server to run on a small machine. Ports are reserved before the
 * nodes start ({@link PreboundSockets}); each node can be stopped and started again by its id.
 *
 * <p>Internal topics (consumer offsets, transaction state) get replication factor
 * {@code min(3, nodes)} and min.insync.replicas one less; so do topics created without explicit
 * settings. A data directory that was formatted before keeps its cluster id and data, so a
 * restart is warm.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

    private final List<KraftNode> nodes;
    private final String voters;
    private final int internalReplication;

    private EmbeddedKafkaCluster(List<KraftNode> nodes, int internalReplication) {
        this.nodes = nodes;
        this.voters = nodes.stream().map(KraftNode::voter).collect(Collectors.joining(","));
        this.internalReplication = internalReplication;
    }

    /**
     * Formats what is new under {@code dataDir} and starts {@code size} nodes (ids 1…size). The
     * first broker listens on {@code firstPort} (0 = a free port), the others and every controller
     * on free ports. {@code overrides} are extra broker properties for every node.
     */
    public static EmbeddedKafkaCluster start(Path dataDir, int size, int firstPort, Map<String, String> overrides) {
        return start(dataDir, size, firstPort, Map.of(), overrides);
    }

    /** Like {@link #start(Path, int, int, Map)}, plus listeners (name → security protocol) on free ports. */
    static EmbeddedKafkaCluster start(Path dataDir, int size, int firstPort, Map<String, String> extraListeners,
            Map<String, String> overrides) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node, got " + size);
        }
        List<KraftNode> nodes = new ArrayList<>();
        try {
            for (int id = 1; id <= size; id++) {
                Map<String, String> protocols = new LinkedHashMap<>();
                protocols.put(KraftNode.BROKER_LISTENER, "PLAINTEXT");
                protocols.put(KraftNode.CONTROLLER_LISTENER, "PLAINTEXT");
                protocols.putAll(extraListeners);
                Map<String, Integer> ports = new LinkedHashMap<>();
                protocols.keySet().forEach(listener -> ports.put(listener, 0));
                if (id == 1) {
                    ports.put(KraftNode.BROKER_LISTENER, firstPort);
                }
                // One node keeps the data layout of the single broker this class started as.
                Path logDir = (size == 1 ? dataDir : dataDir.resolve("node-" + id)).resolve("logs");
                nodes.add(new KraftNode(id, logDir, protocols, new PreboundSockets(ports), overrides));
            }
        } catch (RuntimeException e) {
            nodes.forEach(KraftNode::stop); // releases the ports reserved so far
            throw e;
        }
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(nodes, Math.min(3, size));
        long started = System.nanoTime();
        try {
            cluster.format();
            // Each broker waits for a metadata quorum, which needs most of the controllers up.
            inParallel(nodes, node -> node.start(cluster.config(node)));
            cluster.awaitBrokers(size);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        LOG.info("Kafka ({} KRaft node(s)) ready at {} in {} ms, data in {}", size, cluster.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataDir);
        return cluster;
    }

    private KafkaConfig config(KraftNode node) {
        return node.config(voters, internalReplication);
    }

    /** Formats every node not formatted yet, with the cluster id of those that are (or a new one). */
    private void format() {
        String clusterId = nodes.stream().map(EmbeddedKafkaCluster::formattedClusterId).filter(id -> id != null)
                .findFirst().orElseGet(() -> Uuid.randomUuid().toString());
        for (KraftNode node : nodes) {
            if (formattedClusterId(node) != null) {
                continue; // Formatted before: keep its data, so a restart is warm.
            }
            try {
                Files.createDirectories(node.logDir());
                new Formatter()
                        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                        .setNodeId(node.nodeId())
                        .setClusterId(clusterId)
                        .setControllerListenerName(KraftNode.CONTROLLER_LISTENER)
                        .setMetadataLogDirectory(node.logDir().toString())
                        .addDirectory(node.logDir().toString())
                        .run();
            } catch (Exception e) {
                throw new IllegalStateException("cannot format Kafka data directory " + node.logDir() + ": " + e.getMessage(), e);
            }
        }
    }

    private static String formattedClusterId(KraftNode node) {
        Path meta = node.logDir().resolve("meta.properties");
        if (!Files.exists(meta)) {
            return null;
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + meta, e);
        }
        return props.getProperty("cluster.id");
    }

    /** Waits until {@code count} brokers are registered and unfenced. */
    private void awaitBrokers(int count) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, runningBootstrapServers());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = Admin.create(props)) {
            while (true) {
                Exception failure = null;
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= count) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Kafka brokers", e);
                } catch (Exception e) {
                    failure = e;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(count + " Kafka broker(s) did not become ready within 60 s", failure);
                }
            }
        }
    }

    /** Every broker's address, comma-separated: what clients bootstrap from. */
    public String bootstrapServers() {
        return nodes.stream().map(KraftNode::bootstrapServer).collect(Collectors.joining(","));
    }

    private String runningBootstrapServers() {
        return nodes.stream().filter(KraftNode::isRunning).map(KraftNode::bootstrapServer).collect(Collectors.joining(","));
    }

    /** The node ids, 1…size. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(KraftNode::nodeId).toList();
    }

    /** The address of one node's broker listener ({@code name}: an extra listener from the start). */
    String address(int nodeId, String listener) {
        return "127.0.0.1:" + node(nodeId).port(listener);
    }

    public boolean isRunning(int nodeId) {
        return node(nodeId).isRunning();
    }

    /** Stops one node cleanly (controlled shutdown: its partitions' leadership moves to the others first). */
    public void stopNode(int nodeId) {
        long started = System.nanoTime();
        node(nodeId).stop();
        LOG.info("Kafka node {} stopped in {} ms", nodeId, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Starts a stopped node again on its ports and data, and waits until its broker is registered. */
    public void startNode(int nodeId) {
        long started = System.nanoTime();
        KraftNode node = node(nodeId);
        node.start(config(node));
        awaitBrokers((int) nodes.stream().filter(KraftNode::isRunning).count());
        LOG.info("Kafka node {} rejoined in {} ms", nodeId, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private KraftNode node(int nodeId) {
        return nodes.stream().filter(n -> n.nodeId() == nodeId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Kafka node " + nodeId + " in " + nodeIds()));
    }

    /**
     * Stops every node: all brokers first, while the controller quorum still stands, then the
     * controllers. With more than one node the last active controller has no successor to hand
     * over to: Kafka waits its fixed 5 s for one and logs "Graceful shutdown of RaftClient failed".
     */
    @Override
    public void close() {
        inParallel(nodes, KraftNode::stopBroker);
        inParallel(nodes, KraftNode::stop);
        LOG.info("Kafka at {} stopped", bootstrapServers());
    }

    /**
     * Runs {@code action} on every node at once, on threads of its own (the common pool has a
     * single thread on two cores, and a starting node blocks until most of the others run).
     */
    private static void inParallel(List<KraftNode> nodes, Consumer<KraftNode> action) {
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<?>> done = nodes.stream().<Future<?>>map(node -> pool.submit(() -> action.accept(node))).toList();
            for (Future<?> future : done) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting or stopping Kafka nodes", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
