package io.tenantindex.testing;

import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicAdmin;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/** Topic end offsets, to prove that a rejected request wrote nothing. */
public final class TopicOffsets {
    private TopicOffsets() {
    }

    public static Map<TopicPartition, Long> endOffsets(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(KafkaSettings.of(bootstrapServers).clientProperties())) {
            return TopicAdmin.endOffsets(admin, topic);
        }
    }
}
