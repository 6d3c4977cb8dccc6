package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Partitions added to the index topic under a colo's state: the colo refuses to start, in one
 * line naming both counts and the way forward, instead of looking tenants up in partitions they
 * were never written to.
 */
class PartitionGrowthIT {
    private final ColoFixture kafka = new ColoFixture();

    @AfterEach
    void tearDown() {
        kafka.close();
    }

    @Test
    void shouldRefuseToStartOnATopicWithMorePartitionsThanItsStateWasBuiltWith() throws Exception {
        Path state = SharedKafka.tempDir("growth-colo-");
        kafka.write(registration("grown-1", 1));
        ColoServer first = kafka.startColo("ORD", state);
        try {
            await().atMost(Duration.ofSeconds(60)).until(first::isReady);
            assertThat(Http.get("http://127.0.0.1:" + first.port() + "/tenants/grown-1").statusCode()).isEqualTo(200);
        } finally {
            first.close();
        }
        assertThat(Files.list(state).map(p -> p.getFileName().toString())).anyMatch(name -> name.endsWith(".partitions"));

        int grown = ColoFixture.PARTITIONS + 2;
        try (Admin admin = Admin.create(KafkaSettings.of(kafka.bootstrap).clientProperties())) {
            admin.createPartitions(Map.of(kafka.topic, NewPartitions.increaseTo(grown))).all().get();
        }

        assertThatThrownBy(() -> kafka.startColo("ORD", state))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("built for " + ColoFixture.PARTITIONS + " partitions of topic " + kafka.topic)
                .hasMessageContaining("now has " + grown)
                .hasMessageContaining("How to grow partitions")
                .hasMessageNotContaining("\n");
    }
}
