package io.tenantindex.common.kafka;

import io.tenantindex.common.config.ConfigException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Idempotent topic creation and end-offset lookups; we never rely on broker auto-creation. */
public final class TopicAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);
    /** Kafka's own default of {@code delete.retention.ms}, assumed when the topic's cannot be read. */
    private static final long DEFAULT_DELETE_RETENTION_MS = Duration.ofDays(1).toMillis();

    private TopicAdmin() {
    }

    /**
     * Creates each topic that does not exist yet. An existing one is left as it is, unless its
     * cleanup policy differs from the spec's: a "tenant-index" topic created by hand with
     * cleanup.policy=delete would silently lose registrations after its retention, so that is a
     * configuration error rather than something to start on.
     */
    public static void ensureTopics(Admin admin, Collection<TopicSpec> specs) {
        for (TopicSpec spec : specs) {
            try {
                admin.createTopics(List.of(spec.toNewTopic())).all().get();
                LOG.info("created topic {} ({} partitions, {})", spec.name(), spec.partitions(), spec.configs());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("could not create topic " + spec.name() + ": " + e.getCause().getMessage(), e.getCause());
                }
                requireCleanupPolicy(admin, spec);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted creating topic " + spec.name(), e);
            }
        }
    }

    private static void requireCleanupPolicy(Admin admin, TopicSpec spec) {
        String wanted = spec.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
        String actual;
        try {
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get().get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG);
            actual = entry == null ? null : entry.value();
        } catch (ExecutionException e) {
            // A principal without DescribeConfigs on the topic: its operators vouch for the policy.
            LOG.warn("cannot check the cleanup policy of existing topic {}: {}", spec.name(), e.getCause().getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted checking topic " + spec.name(), e);
        }
        if (wanted != null && actual != null && !wanted.equals(actual)) {
            throw new ConfigException("topic " + spec.name() + " exists with cleanup.policy=" + actual + ", tenant-index needs "
                    + wanted + " (kafka-configs.sh --alter --entity-type topics --entity-name " + spec.name()
                    + " --add-config cleanup.policy=" + wanted + ", or point tenant-index at another topic)");
        }
    }

    /**
     * The one line a writer or colo refuses to start with when the index topic no longer has the
     * partition count it was built for: the partitioner would look tenants up in other partitions
     * than the ones they were written to. {@code builtFor} says whose count it is ("colo ORD's state
     * was built for").
     */
    public static ConfigException partitionCountChanged(String builtFor, int expected, String topic, int actual) {
        return new ConfigException(builtFor + " " + expected + " partitions of topic " + topic + ", which now has "
                + actual + "; adding partitions moves tenants to other partitions, so grow them by creating a new topic with "
                + actual + " partitions, replaying the index into it and switching index.topic to it (README: How to grow partitions)");
    }

    public static int partitionCount(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not describe topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted describing " + topic, e);
        }
    }

    /** Committed end offsets (the last stable offset) of every partition of {@code topic}. */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) {
        return endOffsets(admin, topic, IsolationLevel.READ_COMMITTED);
    }

    /**
     * End offsets of every partition of {@code topic}: the last stable offset with READ_COMMITTED,
     * the log end offset (open transactions' records included) with READ_UNCOMMITTED.
     */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, String topic, IsolationLevel isolation) {
        int partitions = partitionCount(admin, topic);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        try {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin
                    .listOffsets(request, new org.apache.kafka.clients.admin.ListOffsetsOptions(isolation))
                    .all().get();
            Map<TopicPartition, Long> out = new HashMap<>();
            result.forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not list end offsets of " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted listing offsets of " + topic, e);
        }
    }

    /**
     * The topic's effective {@code delete.retention.ms} (its own, the broker's or Kafka's default):
     * how long a tombstone is kept at least. {@code who} names the asking process in the warning
     * logged when Kafka does not answer.
     */
    public static long deleteRetentionMs(Admin admin, String topic, String who) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get(5, TimeUnit.SECONDS).get(resource)
                    .get(TopicConfig.DELETE_RETENTION_MS_CONFIG);
            if (entry != null && entry.value() != null) {
                return Long.parseLong(entry.value());
            }
        } catch (ExecutionException e) {
            LOG.warn("{}: cannot read delete.retention.ms of {} ({}); assuming Kafka's default of {} ms", who, topic,
                    e.getCause().toString(), DEFAULT_DELETE_RETENTION_MS);
        } catch (TimeoutException e) {
            LOG.warn("{}: Kafka did not say the delete.retention.ms of {}; assuming Kafka's default of {} ms", who, topic,
                    DEFAULT_DELETE_RETENTION_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_DELETE_RETENTION_MS;
    }
}
