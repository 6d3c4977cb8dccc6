package io.tenantindex.testing;

import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicAdmin;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Topic log end offsets, to prove that a rejected request wrote nothing: read uncommitted, so a
 * record in a transaction that is still open (or was aborted) counts as written too.
 */
public final class TopicOffsets {
    private TopicOffsets() {
    }

    public static Map<TopicPartition, Long> endOffsets(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(KafkaSettings.of(bootstrapServers).clientProperties())) {
            return TopicAdmin.endOffsets(admin, topic, IsolationLevel.READ_UNCOMMITTED);
        }
    }
}
