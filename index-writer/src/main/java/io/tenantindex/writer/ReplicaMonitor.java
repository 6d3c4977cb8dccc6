package io.tenantindex.writer;

import io.tenantindex.common.ErrorType;
import io.tenantindex.common.TenantIndexException;
import io.tenantindex.common.api.ReplicaList;
import io.tenantindex.common.kafka.TopicAdmin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Every colo replica the cluster knows of, from Kafka's own admin API: each instance of a colo is
 * a Kafka Streams application whose id is {@value #COLO_GROUP_PREFIX}{@code <COLO>-<instance>…},
 * and its lag is the committed end offset minus the offset the application committed, per partition.
 */
final class ReplicaMonitor {
    static final String COLO_GROUP_PREFIX = "tenant-index-colo-";

    private final Admin admin;
    private final String topic;

    ReplicaMonitor(Admin admin, String topic) {
        this.admin = admin;
        this.topic = topic;
    }

    ReplicaList replicas() {
        try {
            Map<TopicPartition, Long> end = TopicAdmin.endOffsets(admin, topic);
            List<ReplicaList.Replica> out = new ArrayList<>();
            for (GroupListing group : admin.listGroups().all().get(10, TimeUnit.SECONDS)) {
                if (!group.groupId().startsWith(COLO_GROUP_PREFIX)) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                long totalLag = 0;
                Map<Integer, ReplicaList.PartitionLag> partitions = new HashMap<>();
                for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    long position = c == null ? 0 : c.offset();
                    long lag = Math.max(0, e.getValue() - position);
                    totalLag += lag;
                    partitions.put(e.getKey().partition(), new ReplicaList.PartitionLag(position, e.getValue(), lag));
                }
                out.add(new ReplicaList.Replica(group.groupId(), coloOf(group.groupId()),
                        group.groupState().map(Object::toString).orElse("UNKNOWN"), totalLag, partitions));
            }
            out.sort(Comparator.comparing(ReplicaList.Replica::applicationId));
            return new ReplicaList(out);
        } catch (ExecutionException | TimeoutException e) {
            throw new TenantIndexException(ErrorType.UNAVAILABLE,
                    "cannot read replica offsets from Kafka: " + e.getMessage(), Duration.ofSeconds(2), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The colo code: up to the next '-' (colo codes have none; instance ids, suffixes and generations follow it). */
    static String coloOf(String groupId) {
        String rest = groupId.substring(COLO_GROUP_PREFIX.length());
        int dash = rest.indexOf('-');
        return dash < 0 ? rest : rest.substring(0, dash);
    }
}
