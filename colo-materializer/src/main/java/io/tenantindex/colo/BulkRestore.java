package io.tenantindex.colo;

import io.tenantindex.common.kafka.TopicAdmin;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Makes a replica without history load the index by bulk restore instead of record-by-record
 * processing (measured 3.5× faster on 1M tenants, bench/results).
 *
 * <p>The index topic is the store's changelog (source-topic reuse), and Kafka Streams restores a
 * source-topic store up to the group's committed offset: raw key/value batches written straight into
 * RocksDB. A new consumer group has no committed offset, so everything would go through the
 * topology instead. Committing the topic's last stable offsets for such a group before Streams
 * starts turns its whole first read into a restore; records after those offsets are processed as
 * usual. Only partitions without a committed offset are touched, so a group with history (a warm
 * restart, or a wiped store that Streams restores anyway) is left alone.
 *
 * <p>Restored records skip the topology, so its poison check: {@link PoisonScan} reads the
 * returned ranges once more after the replica is ready.
 */
final class BulkRestore {
    private static final long TIMEOUT_MS = 5_000;

    private BulkRestore() {
    }

    /**
     * Commits, for {@code group}, the last stable offset of every partition of {@code topic} that
     * the group has no committed offset for; returns those offsets by partition (empty: nothing to
     * bulk-restore). Fails if the group has active members.
     */
    static Map<Integer, Long> commitStableEnds(Admin admin, String group, String topic)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<TopicPartition> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).entrySet().stream()
                .filter(e -> e.getValue() != null)
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
        Map<Integer, Long> ends = new TreeMap<>();
        TopicAdmin.endOffsets(admin, topic).forEach((tp, end) -> {
            if (end > 0 && !committed.contains(tp)) {
                toCommit.put(tp, new OffsetAndMetadata(end));
                ends.put(tp.partition(), end);
            }
        });
        if (!toCommit.isEmpty()) {
            admin.alterConsumerGroupOffsets(group, toCommit).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        return ends;
    }
}
