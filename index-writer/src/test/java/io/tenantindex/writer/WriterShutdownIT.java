package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A stopping writer keeps to its {@code shutdown.timeout.ms} when Kafka is gone under it (writer
 * thread, transactional producer, election consumer and admin client all waiting on a broker
 * that is not there), so the platform's grace period never runs out. Uses a broker of its own.
 */
class WriterShutdownIT {
    private static final Duration BUDGET = Duration.ofMillis(2_000);
    /** close() measures its budget from its first line; what remains is metrics and the measuring itself. */
    private static final Duration SLACK = Duration.ofMillis(500);

    @Test
    void shouldCloseWithinItsBudgetWhenItsBrokerStoppedUnderIt() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(SharedKafka.tempDir("writer-shutdown-kafka-"),
                EmbeddedKafkaBroker.freePort(), Map.of());
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(KafkaSettings.of(broker.bootstrapServers()),
                TopicsConfig.from(Settings.empty()).schemas(), "127.0.0.1", 0);
        try {
            Settings settings = WriterFixture.settings(SharedKafka.uniqueName("shutdown"), 3, "shutdown")
                    .with(ConfigKeys.BOOTSTRAP_SERVERS, broker.bootstrapServers())
                    .with(ConfigKeys.REGISTRY_URL, registry.url())
                    .with(ConfigKeys.SHUTDOWN_TIMEOUT_MS, Long.toString(BUDGET.toMillis()));
            WriterApp writer = WriterApp.start(WriterConfig.from(settings));
            assertThat(Http.putJson("http://127.0.0.1:" + writer.port() + "/tenants/budget-1", WriterFixture.body("pro")).statusCode())
                    .isEqualTo(201);

            broker.close();
            long started = System.nanoTime();
            writer.close();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            System.out.printf("writer closed in %d ms (budget %d ms)%n", took.toMillis(), BUDGET.toMillis());
            assertThat(took).isLessThanOrEqualTo(BUDGET.plus(SLACK));
        } finally {
            registry.close();
        }
    }
}
