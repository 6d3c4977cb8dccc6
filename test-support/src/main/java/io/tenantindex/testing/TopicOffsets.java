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
        return endOffsets(bootstrapServers, topic, IsolationLevel.READ_UNCOMMITTED);
    }

    /**
     * The end offsets at {@code isolation}. Read committed they are the last stable offsets, equal to
     * the uncommitted ends once no transaction is open, i.e. once a commit's markers are written,
     * which the broker does after the commit returns.
     */
    public static Map<TopicPartition, Long> endOffsets(String bootstrapServers, String topic, IsolationLevel isolation) {
        try (Admin admin = Admin.create(KafkaSettings.of(bootstrapServers).clientProperties())) {
            return TopicAdmin.endOffsets(admin, topic, isolation);
        }
    }
}
