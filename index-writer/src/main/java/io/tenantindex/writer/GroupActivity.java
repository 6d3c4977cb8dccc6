package io.tenantindex.writer;

import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * When the group coordinator last wrote anything for a consumer group, read from the record timestamps
 * of {@value #OFFSETS_TOPIC}: an offset commit, or the group's metadata when a member leaves or times
 * out. That is the one place Kafka keeps a time for a group without members: the admin API's offset
 * fetch has no commit timestamp, and Kafka Streams commits only while it processes records, so an
 * idle instance's last commit can be far older than the moment it stopped. The topic is compacted
 * (the latest record of each group, partition and member stays); only the partitions that hold the
 * asked-for groups are read, from the start, so a call costs a pass over those: the monitor asks
 * only for groups that have no members.
 */
final class GroupActivity {
    static final String OFFSETS_TOPIC = "__consumer_offsets";

    private final KafkaSettings kafka;
    private final Duration timeout;

    GroupActivity(KafkaSettings kafka, Duration timeout) {
        this.kafka = kafka;
        this.timeout = timeout;
    }

    /** Group id → epoch ms of the latest coordinator record for it; a group with none is absent. */
    Map<String, Long> lastWrittenAt(Set<String> groups) {
        Map<String, Long> out = new HashMap<>();
        if (groups.isEmpty()) {
            return out;
        }
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tenant-index-replica-monitor");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Uncommitted and aborted offset commits count too: whoever sent them was running then.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            int count = consumer.partitionsFor(OFFSETS_TOPIC, timeout).size();
            List<TopicPartition> partitions = groups.stream().map(g -> partitionFor(g, count)).distinct()
                    .map(partition -> new TopicPartition(OFFSETS_TOPIC, partition)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new TenantIndexException(ErrorType.UNAVAILABLE, "reading " + OFFSETS_TOPIC + " took longer than " + timeout,
                            Duration.ofSeconds(5), null);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String group = groupOf(r.key());
                    if (group != null && groups.contains(group)) {
                        out.merge(group, r.timestamp(), Math::max);
                    }
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new TenantIndexException(ErrorType.UNAVAILABLE, "cannot read " + OFFSETS_TOPIC + ": " + e.getMessage(),
                    Duration.ofSeconds(2), e);
        }
        return out;
    }

    /**
     * The partition of {@value #OFFSETS_TOPIC} whose coordinator owns the group, as the broker computes it
     * ({@code GroupCoordinatorService.partitionFor}). Were that ever to change, a group's records would
     * not be found and it would count as "last seen unknown", which prune keeps.
     */
    static int partitionFor(String groupId, int partitions) {
        return Utils.abs(groupId.hashCode()) % partitions;
    }

    /**
     * The group id of a coordinator record key: a two-byte record type, then the group id as a string
     * with a two-byte length, for offset commits (types 0, 1), group metadata (2) and the group records
     * after them. A key that does not parse so is no group's.
     */
    static String groupOf(byte[] key) {
        if (key == null || key.length < 4) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(key);
        b.getShort();
        int length = b.getShort();
        if (length < 0 || length > b.remaining()) {
            return null;
        }
        return new String(key, 4, length, StandardCharsets.UTF_8);
    }
}
