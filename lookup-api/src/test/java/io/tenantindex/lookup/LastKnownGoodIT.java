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
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Kafka goes away under a serving colo: lookups keep being answered from local state, the colo says
 * it is degraded and since when, and catches up by itself when Kafka returns. A steady lookup load
 * runs through every phase and not one lookup may fail. Uses a broker of its own (the shared one
 * cannot be stopped), restarted on the same port and data directory.
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
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        boolean brokerUp = true;
        try {
            await().atMost(Duration.ofSeconds(30)).until(colo::isReady);
            String base = "http://127.0.0.1:" + colo.port();
            LookupLoad load = new LookupLoad(base);
            ScheduledFuture<?> running = scheduler.scheduleAtFixedRate(load::lookupOnce, 0, 10, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> load.answered() >= 20);

            load.enter(Phase.KAFKA_DOWN);
            broker.close();
            brokerUp = false;
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    Json.MAPPER.readTree(Http.get(base + "/health").body()).path("status").asText().equals("degraded"));
            JsonNode health = Json.MAPPER.readTree(Http.get(base + "/health").body());
            assertThat(health.path("degradedSince").asText()).isNotEmpty();
            assertThat(Http.get(base + "/tenants/lkg-3").headers().firstValue("X-Replica-Degraded-Since")).isPresent();
            long servedWhileDown = load.answered();

            // Keep serving for a while with Kafka gone: another 100 lookups, all from local state.
            await().atMost(Duration.ofSeconds(30)).until(() -> load.answered() > servedWhileDown + 100);
            JsonNode stats = Json.MAPPER.readTree(Http.get(base + "/stats").body());
            assertThat(stats.path("status").asText()).isEqualTo("degraded");
            assertThat(Http.get(base + "/tenants?limit=5").statusCode()).isEqualTo(200);

            load.enter(Phase.CATCHING_UP);
            broker = EmbeddedKafkaBroker.start(brokerDir, port, Map.of());
            brokerUp = true;
            produce(bootstrap, registry.url(), topics.indexTopic(), registration("written-after", 1));
            await().atMost(Duration.ofSeconds(60)).until(() -> Http.get(base + "/tenants/written-after").statusCode() == 200);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    Json.MAPPER.readTree(Http.get(base + "/health").body()).path("status").asText().equals("ready"));
            assertThat(Http.get(base + "/tenants/lkg-7").headers().firstValue("X-Replica-Degraded-Since")).isEmpty();

            load.enter(Phase.CAUGHT_UP);
            long servedBeforeCaughtUp = load.answered();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.answered() > servedBeforeCaughtUp + 20);

            // An exception escaping the task would have cancelled it without a word: it must still be running.
            assertThat(running.isDone()).as("the lookup load ran to the end").isFalse();
            running.cancel(false);
            scheduler.shutdown();
            assertThat(scheduler.awaitTermination(40, TimeUnit.SECONDS)).isTrue();
            for (Phase phase : Phase.values()) {
                assertThat(load.answered(phase)).as("lookups answered %s", phase.description).isPositive();
            }
            assertThat(load.failures()).as("failed lookups, by phase").isEmpty();
        } finally {
            scheduler.shutdownNow();
            colo.close();
            registry.close();
            if (brokerUp) {
                broker.close();
            }
        }
    }

    private enum Phase {
        BEFORE("before the outage"),
        KAFKA_DOWN("while Kafka was down"),
        CATCHING_UP("while Kafka came back and the colo caught up"),
        CAUGHT_UP("after the colo was ready again");

        final String description;

        Phase(String description) {
            this.description = description;
        }
    }

    /**
     * One lookup per call, counted in the phase it started in. Anything but a 200 is a failure,
     * including a request that could not be made at all (connection refused or reset, timeout):
     * nothing may escape, since an exception would end the periodic task unnoticed.
     */
    private static final class LookupLoad {
        private final String base;
        private final Map<Phase, AtomicLong> answered = new EnumMap<>(Phase.class);
        private final Map<Phase, List<String>> failed = new EnumMap<>(Phase.class);
        private volatile Phase phase = Phase.BEFORE;

        LookupLoad(String base) {
            this.base = base;
            for (Phase p : Phase.values()) {
                answered.put(p, new AtomicLong());
                failed.put(p, new CopyOnWriteArrayList<>());
            }
        }

        void enter(Phase next) {
            phase = next;
        }

        void lookupOnce() {
            Phase current = phase;
            String tenant = "lkg-" + (answered() % 20);
            try {
                HttpResponse<String> response = Http.get(base + "/tenants/" + tenant);
                if (response.statusCode() == 200) {
                    answered.get(current).incrementAndGet();
                } else {
                    failed.get(current).add(tenant + ": " + response.statusCode() + " " + response.body());
                }
            } catch (RuntimeException e) {
                failed.get(current).add(tenant + ": " + e);
            }
        }

        long answered() {
            return answered.values().stream().mapToLong(AtomicLong::get).sum();
        }

        long answered(Phase p) {
            return answered.get(p).get();
        }

        /** Per phase with failures, how many and the first few. */
        Map<String, String> failures() {
            Map<String, String> out = new LinkedHashMap<>();
            failed.forEach((p, list) -> {
                if (!list.isEmpty()) {
                    out.put(p.description, list.size() + " failed, first: " + list.subList(0, Math.min(3, list.size())));
                }
            });
            return out;
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
