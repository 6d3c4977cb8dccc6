package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.testing.SharedKafka;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The writer creates its topics from the one topic spec, and will not start on an index topic that is not compacted. */
class WriterTopicsIT {

    @Test
    void shouldCreateACompactedIndexTopicOfSixPartitionsAndAUsageTopicWithRetention() throws Exception {
        String topic = SharedKafka.uniqueName("topics");
        // No index.partitions setting: the default applies.
        try (WriterApp writer = WriterApp.start(WriterConfig.from(WriterFixture.settings(topic, 0, "topics")));
             Admin admin = admin()) {
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(6);
            Config index = config(admin, topic);
            assertThat(index.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            assertThat(index.get(TopicConfig.DELETE_RETENTION_MS_CONFIG).value()).isEqualTo(Long.toString(7L * 24 * 3600 * 1000));
            Config usage = config(admin, topic + "-usage");
            assertThat(usage.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);
            assertThat(usage.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo(Long.toString(7L * 24 * 3600 * 1000));
            assertThat(writer.port()).isPositive();
        }
    }

    @Test
    void shouldRefuseAnExistingIndexTopicThatDeletesInsteadOfCompacting() throws Exception {
        String topic = SharedKafka.uniqueName("deleting");
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)))).all().get();
        }
        assertThatThrownBy(() -> WriterFixture.start(topic, "deleting"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("topic " + topic + " exists with cleanup.policy=delete")
                .hasMessageContaining("needs compact");
    }

    private static Admin admin() {
        return Admin.create(KafkaSettings.of(SharedKafka.bootstrapServers()).clientProperties());
    }

    private static Config config(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
}
