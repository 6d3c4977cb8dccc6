package io.tenantindex.testing;

import io.tenantindex.kafka.embedded.EmbeddedKafkaCluster;
import java.util.Map;

/**
 * One real three-node KRaft cluster per test JVM (each node broker and controller), started only
 * when a test first asks for it, on free ports in a temporary directory, stopped when the JVM exits.
 * For tests of the production shape: replication factor 3, min.insync.replicas 2, a broker that
 * leaves and rejoins. A test that stops a node starts it again before it ends; isolate topics and
 * application ids with {@link SharedKafka#uniqueName(String)}.
 *
 * <p>Its brokers have no controlled shutdown: a stopped node goes away as a crashed process does,
 * still leading its partitions until the controller misses its heartbeats
 * ({@code broker.session.timeout.ms}) and moves leadership to the other replicas.
 */
public final class SharedKafkaCluster {
    public static final int BROKERS = 3;

    private static EmbeddedKafkaCluster cluster;
    private static long startMillis;

    private SharedKafkaCluster() {
    }

    public static synchronized EmbeddedKafkaCluster cluster() {
        if (cluster == null) {
            long started = System.nanoTime();
            cluster = EmbeddedKafkaCluster.start(SharedKafka.tempDir("kafka-cluster-"), BROKERS, 0,
                    Map.of("controlled.shutdown.enable", "false"));
            startMillis = (System.nanoTime() - started) / 1_000_000;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> cluster.close(), "shared-kafka-cluster-shutdown"));
        }
        return cluster;
    }

    public static String bootstrapServers() {
        return cluster().bootstrapServers();
    }

    /** How long the cluster took to start in this JVM (0 before {@link #cluster()}). */
    public static synchronized long startMillis() {
        return startMillis;
    }
}
