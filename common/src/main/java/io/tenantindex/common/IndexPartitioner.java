package io.tenantindex.common;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition a tenant's records live on: Kafka's default partitioner (murmur2 of the UTF-8 key),
 * so readers find a key's partition without asking the producer.
 */
public final class IndexPartitioner {
    private IndexPartitioner() {
    }

    public static int partitionFor(String tenantId, int partitions) {
        return Utils.toPositive(Utils.murmur2(tenantId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
