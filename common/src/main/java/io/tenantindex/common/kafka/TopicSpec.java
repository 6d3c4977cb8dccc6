package io.tenantindex.common.kafka;

import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/** A topic as tenant-index wants it: name, partitions, replication and topic-level configs. */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {
    public TopicSpec {
        configs = Map.copyOf(configs);
    }

    public NewTopic toNewTopic() {
        return new NewTopic(name, partitions, replicationFactor).configs(configs);
    }
}
