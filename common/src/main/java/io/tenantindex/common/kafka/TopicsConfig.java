package io.tenantindex.common.kafka;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The single place where tenant-index's topics are specified. Every component (writer, colos, sink,
 * registry, tests, docker topic init) builds its topics from here.
 */
public record TopicsConfig(
        String indexTopic,
        int indexPartitions,
        String usageTopic,
        int usagePartitions,
        long usageRetentionMs,
        long usageRetentionBytes,
        short replicationFactor,
        int minInsyncReplicas) {

    public static final String DEFAULT_INDEX_TOPIC = "tenant-index";
    public static final String DEFAULT_USAGE_TOPIC = "tenant-usage";
    public static final String SCHEMAS_TOPIC = "_schemas";
    public static final String WRITER_LEADER_TOPIC = "tenant-index-writer-leader";
    public static final long DEFAULT_USAGE_RETENTION_MS = Duration.ofDays(7).toMillis();

    public static TopicsConfig from(Settings s) {
        return new TopicsConfig(
                s.string(ConfigKeys.INDEX_TOPIC, DEFAULT_INDEX_TOPIC),
                s.intValue(ConfigKeys.INDEX_PARTITIONS, 6, 1, 10_000),
                s.string(ConfigKeys.USAGE_TOPIC, DEFAULT_USAGE_TOPIC),
                s.intValue(ConfigKeys.USAGE_PARTITIONS, 6, 1, 10_000),
                s.longValue(ConfigKeys.USAGE_RETENTION_MS, DEFAULT_USAGE_RETENTION_MS, 60_000, Long.MAX_VALUE),
                s.longValue(ConfigKeys.USAGE_RETENTION_BYTES, -1, -1, Long.MAX_VALUE),
                (short) s.intValue(ConfigKeys.TOPIC_REPLICATION_FACTOR, 1, 1, 32),
                s.intValue(ConfigKeys.TOPIC_MIN_INSYNC_REPLICAS, 1, 1, 32));
    }

    /** The compacted source of truth: latest registration per tenant, tombstone = deregistered. */
    public TopicSpec index() {
        return new TopicSpec(indexTopic, indexPartitions, replicationFactor, Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas),
                // Keep tombstones for a week so a colo offline for days still sees every deregistration.
                TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis())));
    }

    /** One record per lookup, deleted after the retention. */
    public TopicSpec usage() {
        return new TopicSpec(usageTopic, usagePartitions, replicationFactor, Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(usageRetentionMs),
                TopicConfig.RETENTION_BYTES_CONFIG, Long.toString(usageRetentionBytes),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas)));
    }

    /** The embedded registry's schema log (compacted, one partition for a total order). */
    public TopicSpec schemas() {
        return new TopicSpec(SCHEMAS_TOPIC, 1, replicationFactor, Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas)));
    }

    /**
     * The writers' election topic: one partition, never written; the member of a writer id's group
     * that is assigned the partition is that writer id's active writer.
     */
    public TopicSpec writerLeader() {
        return new TopicSpec(WRITER_LEADER_TOPIC, 1, replicationFactor, Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas)));
    }

    public List<TopicSpec> all() {
        return List.of(index(), usage(), schemas(), writerLeader());
    }
}
