package io.tenantindex.colo;

import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.common.kafka.TopicsConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The spec of a colo's dead-letter topic: undecodable index records, byte for byte, with headers
 * saying where they came from and why they were rejected. One per colo so that each colo's DLQ
 * write is part of its own exactly-once transaction. Lives here because TopicsConfig (common) has
 * no DLQ spec yet.
 */
public final class DeadLetterTopic {
    public static final String HEADER_ERROR = "tenant-index.dlq.error";
    public static final String HEADER_TOPIC = "tenant-index.dlq.topic";
    public static final String HEADER_PARTITION = "tenant-index.dlq.partition";
    public static final String HEADER_OFFSET = "tenant-index.dlq.offset";
    public static final String HEADER_COLO = "tenant-index.dlq.colo";

    private DeadLetterTopic() {
    }

    public static String defaultName(String indexTopic, String colo) {
        return indexTopic + ".dlq." + colo;
    }

    /** Delete policy, kept for 30 days: long enough for someone to look, bounded so it cannot grow forever. */
    public static TopicSpec spec(String name, TopicsConfig topics) {
        return new TopicSpec(name, 1, topics.replicationFactor(), Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis()),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(topics.minInsyncReplicas())));
    }

    /** The original record's headers plus where the poison record came from and why it was rejected. */
    static Headers headers(Headers original, String error, String topic, int partition, long offset, String colo) {
        RecordHeaders headers = new RecordHeaders(original.toArray());
        headers.add(HEADER_ERROR, utf8(error));
        headers.add(HEADER_TOPIC, utf8(topic));
        headers.add(HEADER_PARTITION, utf8(Integer.toString(partition)));
        headers.add(HEADER_OFFSET, utf8(Long.toString(offset)));
        headers.add(HEADER_COLO, utf8(colo));
        return headers;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
