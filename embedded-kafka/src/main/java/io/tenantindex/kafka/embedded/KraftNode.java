package io.tenantindex.kafka.embedded;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.server.Server;
import kafka.server.SharedServer;
import kafka.server.StandardFaultHandlerFactory;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.raft.QuorumConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * One combined broker + controller KRaft node in this JVM, wired as {@code KafkaRaftServer} wires
 * it but on {@link PreboundSockets}, so its ports are held from reservation until it listens. It
 * can be stopped and started again on the same ports and data (a broker that leaves and rejoins).
 */
final class KraftNode {
    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Logger LOG = LoggerFactory.getLogger(KraftNode.class);

    private final int nodeId;
    private final Path logDir;
    private final Map<String, String> protocols;
    private final Map<String, String> overrides;
    private final Map<String, Integer> ports;
    private PreboundSockets sockets;
    private Running running;

    private record Running(ControllerServer controller, BrokerServer broker, Metrics metrics) {
    }

    /**
     * @param protocols listener name → security protocol, {@link #BROKER_LISTENER} and
     *                  {@link #CONTROLLER_LISTENER} first
     * @param sockets   one reserved socket per listener
     */
    KraftNode(int nodeId, Path logDir, Map<String, String> protocols, PreboundSockets sockets, Map<String, String> overrides) {
        this.nodeId = nodeId;
        this.logDir = logDir;
        this.protocols = new LinkedHashMap<>(protocols);
        this.sockets = sockets;
        this.ports = sockets.ports();
        this.overrides = Map.copyOf(overrides);
    }

    int nodeId() {
        return nodeId;
    }

    int port(String listener) {
        return ports.get(listener);
    }

    Path logDir() {
        return logDir;
    }

    String bootstrapServer() {
        return "127.0.0.1:" + port(BROKER_LISTENER);
    }

    /** {@code id@127.0.0.1:port} of this node's controller listener, for {@code controller.quorum.voters}. */
    String voter() {
        return nodeId + "@127.0.0.1:" + port(CONTROLLER_LISTENER);
    }

    synchronized boolean isRunning() {
        return running != null;
    }

    /**
     * The node's configuration. One quorum of {@code voters}; internal topics replicated
     * {@code internalReplication} times with min.insync one less (at least 1), one partition each
     * (the default 50 slows the first transaction and group join); no initial rebalance delay.
     */
    KafkaConfig config(String voters, int internalReplication) {
        String minIsr = Integer.toString(Math.max(1, internalReplication - 1));
        String replication = Integer.toString(internalReplication);
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", protocols.keySet().stream().map(l -> l + "://127.0.0.1:" + port(l)).collect(Collectors.joining(",")));
        p.put("advertised.listeners", protocols.keySet().stream().filter(l -> !l.equals(CONTROLLER_LISTENER))
                .map(l -> l + "://127.0.0.1:" + port(l)).collect(Collectors.joining(",")));
        p.put("listener.security.protocol.map", protocols.entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",")));
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", logDir.toString());
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", replication);
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", replication);
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", replication);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", replication);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // The default 128 MiB cleaner buffer is sized for big clusters; this broker shares a JVM.
        p.put("log.cleaner.dedupe.buffer.size", Long.toString(8L * 1024 * 1024));
        p.put("log.cleaner.backoff.ms", "1000");
        p.putAll(overrides);
        Properties props = new Properties();
        props.putAll(p);
        return new KafkaConfig(props, false);
    }

    /**
     * Starts the controller, then the broker, as {@code KafkaRaftServer#startup} does. Blocks until
     * the broker has caught up with the metadata log, so the nodes of a new quorum start in parallel.
     */
    synchronized void start(KafkaConfig config) {
        if (running != null) {
            throw new IllegalStateException("Kafka node " + nodeId + " is running");
        }
        // The first start takes the sockets reserved with the cluster; a restart binds its ports again.
        PreboundSockets reserved = sockets != null ? sockets : new PreboundSockets(ports);
        sockets = null;
        try {
            Tuple2<MetaPropertiesEnsemble, BootstrapMetadata> dirs = KafkaRaftServer.initializeLogDirs(config, LOG, "[node " + nodeId + "] ");
            Metrics metrics = Server.initializeMetrics(config, Time.SYSTEM, dirs._1().clusterId().orElseThrow());
            SharedServer shared = new SharedServer(config, dirs._1(), Time.SYSTEM, metrics,
                    CompletableFuture.completedFuture(QuorumConfig.parseVoterConnections(config.quorumConfig().voters())),
                    QuorumConfig.parseBootstrapServers(config.quorumConfig().bootstrapServers()),
                    new StandardFaultHandlerFactory(), reserved);
            ControllerServer controller = new ControllerServer(shared, KafkaRaftServer.configSchema(), dirs._2());
            BrokerServer broker = new BrokerServer(shared);
            running = new Running(controller, broker, metrics);
            controller.startup();
            broker.startup();
            AppInfoParser.registerAppInfo(Server.MetricsPrefix(), Integer.toString(nodeId), metrics, Time.SYSTEM.milliseconds());
        } catch (RuntimeException e) {
            stop();
            throw e;
        } finally {
            reserved.close();
        }
    }

    /**
     * Stops the broker first (its controlled shutdown, unless {@code controlled.shutdown.enable=false},
     * moves partition leadership away and needs the controller), then the controller, as
     * {@code KafkaRaftServer#shutdown} does. A node that never started releases its reserved ports.
     */
    synchronized void stop() {
        if (sockets != null) {
            sockets.close(); // reserved for a start that never came
            sockets = null;
        }
        if (running == null) {
            return;
        }
        Running r = running;
        running = null;
        r.broker().shutdown();
        r.controller().shutdown();
        r.broker().awaitShutdown();
        r.controller().awaitShutdown();
        AppInfoParser.unregisterAppInfo(Server.MetricsPrefix(), Integer.toString(nodeId), r.metrics());
    }

    /**
     * The first half of {@link #stop()} alone: when a whole cluster stops, every broker's
     * controlled shutdown must finish while the controller quorum still stands.
     */
    synchronized void stopBroker() {
        if (running != null) {
            running.broker().shutdown();
        }
    }
}
