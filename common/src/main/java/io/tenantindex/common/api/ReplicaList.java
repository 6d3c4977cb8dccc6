package io.tenantindex.common.api;

import java.util.List;
import java.util.Map;

/** The writer's {@code GET /replicas}: every colo instance's Streams application, its lag and when it was last seen, from Kafka. */
public record ReplicaList(List<Replica> replicas) {
    public ReplicaList {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }

    /**
     * @param state      the consumer group's state
     * @param partitions partition → the group's committed offset, the end offset and their difference
     * @param instance   the application id after the colo, without a generation: the instance id (and its
     *                   suffix, if the instance has one; instance ids may contain dashes, so the two are not told apart)
     * @param generation the replica generation ({@code -g<N>} of a rebuild; 0 = the original)
     * @param members    members of the group now; more than 0 means the instance is running
     * @param lastSeen   epoch ms: now while the group has members, else the last time the group coordinator
     *                   wrote anything for the group (an offset commit, or the member leaving or timing out);
     *                   null if Kafka has no record of it
     */
    public record Replica(String applicationId, String colo, String state, long lag, Map<Integer, PartitionLag> partitions,
                          String instance, long generation, int members, Long lastSeen) {
        public Replica {
            partitions = PartitionMaps.copy(partitions);
        }

        public boolean live() {
            return members > 0;
        }
    }

    public record PartitionLag(long committed, long end, long lag) {
    }
}
