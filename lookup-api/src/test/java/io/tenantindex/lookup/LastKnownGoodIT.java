package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Kafka goes away under a serving colo: lookups keep being answered from local state, the colo says
 * it is degraded and since when, and catches up by itself when Kafka returns. Uses a broker of its
 * own (the shared one cannot be stopped), restarted on the same port and data directory.
 */
class LastKnownGoodIT {
    @Test
    void shouldServeLastKnownGoodWhileKafkaIsDownAndCatchUpWhenItReturns() throws Exception {
        Path brokerDir = SharedKafka.tempDir("lkg-kafka-");
        int port = EmbeddedKafkaBroker.freePort();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerDir, port, Map.of());
        String bootstrap = broker.bootstrapServers();
        TopicsConfig topics = TopicsConfig.from(Settings.of(Map.of(ConfigKeys.INDEX_PARTITIONS, "2")));
        try (Admin admin = Admin.create(KafkaSettings.of(bootstrap).clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(topics.index()));
        }
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(KafkaSettings.of(bootstrap), topics.schemas(), "127.0.0.1", 0);
        for (int i = 0; i < 20; i++) {
            produce(bootstrap, registry.url(), topics.indexTopic(), registration("lkg-" + i, 1));
        }
        ColoServer colo = ColoServer.start(ColoConfig.from(Settings.of(Map.of(
                ConfigKeys.COLO, "ORD",
                ConfigKeys.BOOTSTRAP_SERVERS, bootstrap,
                ConfigKeys.REGISTRY_URL, registry.url(),
                ConfigKeys.STATE_DIR, SharedKafka.tempDir("lkg-colo-").toString(),
                ConfigKeys.HTTP_HOST, "127.0.0.1",
                ConfigKeys.HTTP_PORT, "0",
                ConfigKeys.INDEX_PARTITIONS, "2",
                ConfigKeys.AUTH_DISABLED, "true",
                ConfigKeys.COLO_REFRESH_INTERVAL_MS, "200"))), UsageRecorder.NONE);
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        boolean brokerUp = true;
        try {
            await().atMost(Duration.ofSeconds(30)).until(colo::isReady);
            String base = "http://127.0.0.1:" + colo.port();
            AtomicLong ok = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            load.scheduleAtFixedRate(() -> {
                int status = Http.get(base + "/tenants/lkg-" + (ok.get() % 20)).statusCode();
                (status == 200 ? ok : failed).incrementAndGet();
            }, 0, 10, TimeUnit.MILLISECONDS);

            broker.close();
            brokerUp = false;
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    Json.MAPPER.readTree(Http.get(base + "/health").body()).path("status").asText().equals("degraded"));
            JsonNode health = Json.MAPPER.readTree(Http.get(base + "/health").body());
            assertThat(health.path("degradedSince").asText()).isNotEmpty();
            assertThat(Http.get(base + "/tenants/lkg-3").headers().firstValue("X-Replica-Degraded-Since")).isPresent();
            long servedWhileDown = ok.get();

            // Keep serving for a while with Kafka gone: another 100 lookups, all from local state.
            await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() > servedWhileDown + 100);
            JsonNode stats = Json.MAPPER.readTree(Http.get(base + "/stats").body());
            assertThat(stats.path("status").asText()).isEqualTo("degraded");
            assertThat(Http.get(base + "/tenants?limit=5").statusCode()).isEqualTo(200);

            broker = EmbeddedKafkaBroker.start(brokerDir, port, Map.of());
            brokerUp = true;
            produce(bootstrap, registry.url(), topics.indexTopic(), registration("written-after", 1));
            await().atMost(Duration.ofSeconds(60)).until(() -> Http.get(base + "/tenants/written-after").statusCode() == 200);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    Json.MAPPER.readTree(Http.get(base + "/health").body()).path("status").asText().equals("ready"));
            assertThat(Http.get(base + "/tenants/lkg-7").headers().firstValue("X-Replica-Degraded-Since")).isEmpty();

            load.shutdown();
            assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(failed.get()).isZero();
        } finally {
            load.shutdownNow();
            colo.close();
            registry.close();
            if (brokerUp) {
                broker.close();
            }
        }
    }

    private static void produce(String bootstrap, String registryUrl, String topic, TenantRegistration r) throws Exception {
        Properties props = KafkaSettings.of(bootstrap).clientProperties();
        try (KafkaProducer<String, TenantRegistration> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ConfluentAvroSerializer<>(new HttpSchemaRegistryClient(registryUrl), true, false))) {
            producer.send(new ProducerRecord<>(topic, r.getTenantId(), r)).get();
        }
    }
}
