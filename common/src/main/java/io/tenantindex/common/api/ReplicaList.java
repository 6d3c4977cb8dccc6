package io.tenantindex.common.api;

import java.util.List;
import java.util.Map;

/** The writer's {@code GET /replicas}: every colo's Streams application and its lag, from Kafka's admin API. */
public record ReplicaList(List<Replica> replicas) {
    public ReplicaList {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }

    /**
     * @param state      the consumer group's state
     * @param partitions partition → the group's committed offset, the end offset and their difference
     */
    public record Replica(String applicationId, String colo, String state, long lag, Map<Integer, PartitionLag> partitions) {
        public Replica {
            partitions = PartitionMaps.copy(partitions);
        }
    }

    public record PartitionLag(long committed, long end, long lag) {
    }
}
