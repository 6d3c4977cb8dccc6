package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.junit.jupiter.api.Test;

/**
 * Partitions added to the index topic behind the writer's back: a writer configured for the old
 * count refuses to start, in one line naming both counts and the way forward, instead of writing
 * tenants to other partitions than their earlier versions.
 */
class WriterPartitionGrowthIT {
    @Test
    void shouldRefuseToStartOnATopicWithAnotherPartitionCountThanConfigured() throws Exception {
        String topic = SharedKafka.uniqueName("growth");
        try (WriterApp writer = WriterFixture.start(topic, SharedKafka.uniqueName("w"))) {
            assertThat(Http.putJson("http://127.0.0.1:" + writer.port() + "/tenants/grown-1", WriterFixture.body("pro")).statusCode())
                    .isEqualTo(201);
        }
        try (Admin admin = Admin.create(KafkaSettings.of(SharedKafka.bootstrapServers()).clientProperties())) {
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(5))).all().get();
        }

        assertThatThrownBy(() -> WriterFixture.start(topic, SharedKafka.uniqueName("w")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("configured (index.partitions) for 3 partitions of topic " + topic)
                .hasMessageContaining("now has 5")
                .hasMessageContaining("How to grow partitions")
                .hasMessageNotContaining("\n");
    }
}
