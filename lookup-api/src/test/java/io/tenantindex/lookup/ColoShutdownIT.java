package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.lookup.usage.KafkaUsageEmitter;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A stopping colo keeps to its {@code shutdown.timeout.ms} when Kafka is gone, so that the platform's
 * grace period never runs out on it (a killed colo restores from scratch under exactly-once): with
 * its broker stopped under it while serving and with usage events buffered, and when it never
 * reached Kafka at all. Uses a broker of its own (the shared one cannot be stopped).
 */
class ColoShutdownIT {
    private static final Duration BUDGET = Duration.ofMillis(2_000);
    /** close() measures its budget from its first line; what remains is metrics and the measuring itself. */
    private static final Duration SLACK = Duration.ofMillis(500);

    @Test
    void shouldCloseWithinItsBudgetWhenItsBrokerStoppedUnderIt() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(SharedKafka.tempDir("shutdown-kafka-"), EmbeddedKafkaBroker.freePort(),
                Map.of());
        TopicsConfig topics = TopicsConfig.from(Settings.of(Map.of(ConfigKeys.INDEX_PARTITIONS, "2")));
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(KafkaSettings.of(broker.bootstrapServers()), topics.schemas(),
                "127.0.0.1", 0);
        try {
            try (Admin admin = Admin.create(KafkaSettings.of(broker.bootstrapServers()).clientProperties())) {
                TopicAdmin.ensureTopics(admin, List.of(topics.index()));
            }
            produce(broker.bootstrapServers(), registry.url(), topics.indexTopic(), registration("budget-1", 1));
            Settings settings = settings(broker.bootstrapServers(), registry.url(), "shutdown-colo-");
            ColoServer colo = ColoServer.start(ColoConfig.from(settings), KafkaUsageEmitter.fromSettings(settings));
            await().atMost(Duration.ofSeconds(60)).until(colo::isReady);
            String base = "http://127.0.0.1:" + colo.port();
            assertThat(Http.get(base + "/tenants/budget-1").statusCode()).isEqualTo(200);

            broker.close();
            for (int i = 0; i < 50; i++) {
                Http.get(base + "/tenants/budget-1");
            }
            assertThat(timeToClose(colo)).isLessThanOrEqualTo(BUDGET.plus(SLACK));
        } finally {
            registry.close();
        }
    }

    @Test
    void shouldCloseWithinItsBudgetWhenKafkaWasNeverReachable() throws Exception {
        // Nothing listens on the port of a freshly reserved, unused socket address.
        String nowhere = "127.0.0.1:" + EmbeddedKafkaBroker.freePort();
        Settings settings = settings(nowhere, ColoFixture.registryUrl(), "shutdown-nowhere-");
        // The usage emitter creates its topic at start, which needs Kafka; the first test covers its flush.
        ColoServer colo = ColoServer.start(ColoConfig.from(settings), UsageRecorder.NONE);
        String base = "http://127.0.0.1:" + colo.port();
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.get(base + "/health").statusCode() > 0);
        assertThat(timeToClose(colo)).isLessThanOrEqualTo(BUDGET.plus(SLACK));
    }

    private static Duration timeToClose(ColoServer colo) {
        long started = System.nanoTime();
        colo.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("colo closed in %d ms (budget %d ms)%n", took.toMillis(), BUDGET.toMillis());
        return took;
    }

    private static Settings settings(String bootstrap, String registryUrl, String stateDirPrefix) {
        return Settings.of(Map.of(
                ConfigKeys.COLO, "ORD",
                ConfigKeys.BOOTSTRAP_SERVERS, bootstrap,
                ConfigKeys.REGISTRY_URL, registryUrl,
                ConfigKeys.STATE_DIR, SharedKafka.tempDir(stateDirPrefix).toString(),
                ConfigKeys.HTTP_HOST, "127.0.0.1",
                ConfigKeys.HTTP_PORT, "0",
                ConfigKeys.INDEX_PARTITIONS, "2",
                ConfigKeys.AUTH_DISABLED, "true",
                ConfigKeys.COLO_REFRESH_INTERVAL_MS, "200",
                ConfigKeys.SHUTDOWN_TIMEOUT_MS, Long.toString(BUDGET.toMillis())));
    }

    private static void produce(String bootstrap, String registryUrl, String topic, TenantRegistration r) throws Exception {
        try (KafkaProducer<String, TenantRegistration> producer = new KafkaProducer<>(KafkaSettings.of(bootstrap).clientProperties(),
                new StringSerializer(), new ConfluentAvroSerializer<>(new HttpSchemaRegistryClient(registryUrl), true, false))) {
            producer.send(new ProducerRecord<>(topic, r.getTenantId(), r)).get();
        }
    }
}
