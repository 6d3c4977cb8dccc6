package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * The colo's stream thread dies on a {@code MissingSourceTopicException} (its source topic is gone
 * during a rebalance, as with stale metadata after a broker restart) and is replaced: readiness drops,
 * and once the topic is there again the replacement serves within seconds, not after the dead
 * thread's static member's session timeout (45 s), because that member was removed from the group.
 */
class StreamThreadReplacementIT {
    @Test
    void shouldServeAgainSoonAfterAStreamThreadDiedOnAMissingSourceTopic() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            kafka.write(IntStream.range(0, 30).mapToObj(i -> registration("tr-" + i, 1)).toList());
            ColoServer colo = kafka.startColo("ORD", SharedKafka.tempDir("replace-colo-"));
            String base = "http://127.0.0.1:" + colo.port();
            try (Admin admin = Admin.create(KafkaSettings.of(kafka.bootstrap).clientProperties())) {
                // The stream thread's death is the point: Awaitility must not fail on it.
                await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(90)).until(colo::isReady);
                admin.deleteTopics(List.of(kafka.topic)).all().get();
                await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> !colo.isReady());
                assertThat(Http.get(base + "/health/ready").statusCode()).isEqualTo(503);

                TopicAdmin.ensureTopics(admin, List.of(kafka.topics.index()));
                kafka.write(registration("tr-after", 1));
                long recreated = System.nanoTime();
                await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(90))
                        .until(() -> Http.get(base + "/tenants/tr-after").statusCode() == 200);
                assertThat(Duration.ofNanos(System.nanoTime() - recreated)).isLessThan(Duration.ofSeconds(30));
                await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(30)).until(colo::isReady);
            } finally {
                colo.close();
            }
        }
    }
}
