package io.tenantindex.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.lookup.usage.KafkaUsageEmitter;
import io.tenantindex.lookup.usage.UsageEmitterConfig;
import io.tenantindex.schemas.LookupOutcome;
import io.tenantindex.schemas.UsageEvent;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import io.tenantindex.schemas.serde.AvroSerdes;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sink on the real in-process broker and the real embedded registry, fed by the colos' real
 * {@link KafkaUsageEmitter}s. Each test has its own topic and application id.
 */
class UsageSinkIT {
    private static final int EVENTS = Integer.getInteger("usage.it.events", 20_000);
    private static final int TENANTS = 50;
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    private static EmbeddedSchemaRegistry registry;

    @BeforeAll
    static void startRegistry() {
        String bootstrap = SharedKafka.bootstrapServers();
        registry = EmbeddedSchemaRegistry.start(KafkaSettings.of(bootstrap), TopicsConfig.from(Settings.empty()).schemas(),
                "127.0.0.1", 0);
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    private static Settings settings(String topic, Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of(
                ConfigKeys.BOOTSTRAP_SERVERS, SharedKafka.bootstrapServers(),
                ConfigKeys.REGISTRY_URL, registry.url(),
                ConfigKeys.REGISTRY_AUTO_REGISTER, "true",
                ConfigKeys.USAGE_TOPIC, topic,
                ConfigKeys.USAGE_PARTITIONS, "3",
                ConfigKeys.STATE_DIR, SharedKafka.tempDir("usage-sink-state").toString(),
                ConfigKeys.SINK_APPLICATION_ID, SharedKafka.uniqueName("usage-sink"),
                ConfigKeys.SINK_HTTP_PORT, "0",
                ConfigKeys.SINK_COMMIT_INTERVAL_MS, "100"));
        values.putAll(extra);
        return Settings.of(values);
    }

    private static KafkaUsageEmitter emitter(Settings settings, String colo) {
        return KafkaUsageEmitter.start(UsageEmitterConfig.from(settings.with(Map.of(
                ConfigKeys.COLO, colo,
                ConfigKeys.USAGE_EMITTER_BUFFER_SIZE, Integer.toString(EVENTS),
                ConfigKeys.USAGE_EMITTER_CLOSE_TIMEOUT_MS, "60000"))));
    }

    private static JsonNode getJson(UsageSink sink, String pathAndQuery, int expectedStatus) {
        return getJson("http://127.0.0.1:" + sink.port(), pathAndQuery, expectedStatus);
    }

    private static JsonNode getJson(String base, String pathAndQuery, int expectedStatus) {
        HttpResponse<String> response = Http.get(base + pathAndQuery);
        assertThat(response.statusCode()).as("%s -> %s", pathAndQuery, response.body()).isEqualTo(expectedStatus);
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tenant(int i) {
        return String.format("tenant-%02d", (i * 7) % TENANTS);
    }

    private static LookupOutcome outcome(int i) {
        return LookupOutcome.values()[(i / 3) % LookupOutcome.values().length];
    }

    /** Counts per outcome (hit, miss, not_ready, error) that the sink reports for a tenant over the whole test. */
    private static long[] reported(UsageSink sink, String tenant, String granularity, long from, long to) {
        JsonNode total = getJson(sink, "/usage/" + tenant + "?granularity=" + granularity + "&from=" + from + "&to=" + to, 200)
                .get("total");
        return new long[] {total.get("hits").asLong(), total.get("misses").asLong(), total.get("notReady").asLong(),
                total.get("errors").asLong()};
    }

    private static Map<String, List<Long>> reportedAll(UsageSink sink, String granularity, long from, long to) {
        Map<String, List<Long>> out = new HashMap<>();
        for (int t = 0; t < TENANTS; t++) {
            String tenant = String.format("tenant-%02d", t);
            long[] counts = reported(sink, tenant, granularity, from, to);
            out.put(tenant, List.of(counts[0], counts[1], counts[2], counts[3]));
        }
        return out;
    }

    @Test
    void shouldCountEveryLookupFromThreeColosExactlyOnceAcrossAKillDashNineOfTheSink() throws Exception {
        String topic = SharedKafka.uniqueName("usage-eos");
        // No record cache and a long commit interval: every count reaches the changelog at once but its
        // input offset is committed up to a second later, so a sink that counted at least once (and
        // not exactly once) would count again what it processed in that second before the kill.
        Settings settings = settings(topic, Map.of(
                ConfigKeys.SINK_CACHE_MAX_BYTES, "0",
                ConfigKeys.SINK_COMMIT_INTERVAL_MS, "1000",
                ConfigKeys.SINK_HTTP_PORT, Integer.toString(EmbeddedKafkaBroker.freePort())));
        long from = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
        Map<String, long[]> expected = new HashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            expected.computeIfAbsent(tenant(i), t -> new long[4])[outcome(i).ordinal()]++;
        }
        List<KafkaUsageEmitter> colos = List.of(emitter(settings, "ORD"), emitter(settings, "SIN"), emitter(settings, "AMS"));
        SinkProcess first = SinkProcess.start(settings);
        UsageSink second;
        try {
            int half = EVENTS / 2;
            for (int i = 0; i < half; i++) {
                colos.get(i % 3).record(tenant(i), outcome(i), 10 + i % 5_000, "req-" + i);
            }
            await().atMost(PATIENCE).until(() -> first.processed() >= half / 4);
            // The second half is emitted while the first sink is killed: the kill happens mid-stream.
            CompletableFuture<Void> secondHalf = CompletableFuture.runAsync(() -> {
                for (int i = half; i < EVENTS; i++) {
                    colos.get(i % 3).record(tenant(i), outcome(i), 10 + i % 5_000, "req-" + i);
                }
            });
            await().atMost(PATIENCE).until(() -> first.processed() >= half / 2);
            first.kill();
            secondHalf.get();
            // A fresh state directory: the restarted sink must rebuild its stores from the changelogs.
            second = UsageSink.start(SinkConfig.from(settings.with(Map.of(
                    ConfigKeys.STATE_DIR, SharedKafka.tempDir("usage-sink-restarted").toString(),
                    ConfigKeys.SINK_HTTP_PORT, "0"))));
        } finally {
            first.kill();
            for (KafkaUsageEmitter colo : colos) {
                colo.close();
            }
        }
        try {
            assertThat(colos.stream().mapToLong(KafkaUsageEmitter::emitted).sum()).isEqualTo(EVENTS);
            assertThat(colos.stream().mapToLong(KafkaUsageEmitter::dropped).sum()).isZero();
            assertThat(colos.stream().mapToLong(KafkaUsageEmitter::failed).sum()).isZero();

            Map<String, List<Long>> want = new HashMap<>();
            expected.forEach((t, c) -> want.put(t, List.of(c[0], c[1], c[2], c[3])));
            assertThat(countsOnTopic(topic)).as("the events on the topic").isEqualTo(want);
            long to = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
            await().atMost(PATIENCE).until(() -> getJson(second, "/stats", 200).get("lag").asLong() == 0);
            // Exact, not merely at least: reportedAll(...) may never pass want on the way.
            await().atMost(PATIENCE).until(() -> {
                Map<String, List<Long>> got = reportedAll(second, "hour", from, to);
                assertThat(got).as("no tenant counted more often than its events on the topic").allSatisfy((t, c) -> {
                    for (int o = 0; o < c.size(); o++) {
                        assertThat(c.get(o)).as("%s outcome %d", t, o).isLessThanOrEqualTo(want.get(t).get(o));
                    }
                });
                return got.equals(want);
            });
            // Caught up and exact; the per-minute store must agree with the per-hour one.
            assertThat(reportedAll(second, "minute", from, to)).isEqualTo(want);
            // The restarted sink processed part of the stream itself: the restart really was mid-stream.
            assertThat(getJson(second, "/stats", 200).get("processed").asLong()).isPositive();

            JsonNode top = getJson(second, "/usage:top?window=hour&limit=3", 200);
            long windowStart = top.get("windowStart").asLong();
            List<Long> perTenant = new ArrayList<>();
            for (int t = 0; t < TENANTS; t++) {
                JsonNode windows = getJson(second, "/usage/" + String.format("tenant-%02d", t)
                        + "?granularity=hour&from=" + windowStart + "&to=" + (windowStart + 1), 200).get("windows");
                perTenant.add(windows.isEmpty() ? 0L : windows.get(0).get("count").asLong());
            }
            perTenant.sort(Comparator.reverseOrder());
            List<Long> topCounts = new ArrayList<>();
            top.get("tenants").forEach(t -> topCounts.add(t.get("count").asLong()));
            assertThat(topCounts).isEqualTo(perTenant.subList(0, 3));
        } finally {
            second.close();
        }
    }

    /** Per tenant, counts per outcome (hit, miss, not_ready, error) of the events on the topic itself. */
    private static Map<String, List<Long>> countsOnTopic(String topic) {
        Properties props = KafkaSettings.of(SharedKafka.bootstrapServers()).clientProperties();
        Deserializer<UsageEvent> values = AvroSerdes.<UsageEvent>specificValue(new HttpSchemaRegistryClient(registry.url()),
                UsageEvent.getClassSchema(), false).deserializer();
        Map<String, long[]> counts = new HashMap<>();
        try (KafkaConsumer<byte[], UsageEvent> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], UsageEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    counts.computeIfAbsent(r.value().getTenantId(), t -> new long[4])[r.value().getOutcome().ordinal()]++;
                }
            }
        }
        Map<String, List<Long>> out = new HashMap<>();
        counts.forEach((t, c) -> out.put(t, List.of(c[0], c[1], c[2], c[3])));
        return out;
    }

    /**
     * A usage-log-sink in a JVM of its own, started with the tests' classpath through
     * {@link UsageSink#main}, so that it can be killed with SIGKILL: no close, no last commit.
     */
    private record SinkProcess(Process process, String base, Path log) {
        private static final List<String> FLAGS = List.of(ConfigKeys.BOOTSTRAP_SERVERS, ConfigKeys.REGISTRY_URL,
                ConfigKeys.REGISTRY_AUTO_REGISTER, ConfigKeys.USAGE_TOPIC, ConfigKeys.USAGE_PARTITIONS, ConfigKeys.STATE_DIR,
                ConfigKeys.SINK_APPLICATION_ID, ConfigKeys.SINK_HTTP_PORT, ConfigKeys.SINK_COMMIT_INTERVAL_MS, ConfigKeys.SINK_CACHE_MAX_BYTES);

        static SinkProcess start(Settings settings) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-cp", System.getProperty("java.class.path"), UsageSink.class.getName()));
            for (String key : FLAGS) {
                command.add(Settings.flagName(key));
                command.add(settings.required(key));
            }
            Path log = Files.createTempFile(SharedKafka.tempDir("usage-sink-process"), "sink-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith(Settings.ENV_PREFIX));
            SinkProcess sink = new SinkProcess(builder.start(), "http://127.0.0.1:" + settings.required(ConfigKeys.SINK_HTTP_PORT), log);
            await().atMost(PATIENCE).ignoreExceptions().until(() -> {
                assertThat(sink.process.isAlive()).as("the sink exited early:%n%s", Files.readString(log)).isTrue();
                return Http.get(sink.base + "/stats").statusCode() == 200;
            });
            return sink;
        }

        long processed() {
            return getJson(base, "/stats", 200).get("processed").asLong();
        }

        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void shouldDropAndCountWhenTheBufferIsTooSmallWhileTheSinkCountsEverythingEmitted() {
        String topic = SharedKafka.uniqueName("usage-small-buffer");
        Settings settings = settings(topic, Map.of());
        int lookups = 20_000;
        try (UsageSink sink = UsageSink.start(SinkConfig.from(settings))) {
            KafkaUsageEmitter tiny = KafkaUsageEmitter.start(UsageEmitterConfig.from(settings.with(Map.of(
                    ConfigKeys.COLO, "ORD", ConfigKeys.USAGE_EMITTER_BUFFER_SIZE, "2"))));
            try (tiny) {
                for (int i = 0; i < lookups; i++) {
                    tiny.record("small-" + (i % 5), LookupOutcome.hit, i, "req-" + i);
                }
            }
            assertThat(tiny.dropped()).isPositive();
            assertThat(tiny.failed()).isZero();
            assertThat(tiny.emitted() + tiny.dropped()).isEqualTo(lookups);
            long from = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
            long to = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
            await().atMost(PATIENCE).until(() -> getJson(sink, "/stats", 200).get("lag").asLong() == 0);
            await().atMost(PATIENCE).until(() -> {
                long counted = 0;
                for (int t = 0; t < 5; t++) {
                    counted += reported(sink, "small-" + t, "hour", from, to)[0];
                }
                return counted == tiny.emitted();
            });
        }
    }

    @Test
    void shouldPageThroughATenantsEventsExactlyOnceAndInOrder() {
        String topic = SharedKafka.uniqueName("usage-pages");
        // A small scan budget so that many pages end on the budget rather than on the limit.
        Settings settings = settings(topic, Map.of(ConfigKeys.SINK_EVENTS_MAX_SCAN, "300"));
        int mine = 1_500;
        List<String> sent = new ArrayList<>();
        try (UsageSink sink = UsageSink.start(SinkConfig.from(settings))) {
            try (KafkaUsageEmitter ord = emitter(settings, "ORD")) {
                for (int i = 0; i < mine; i++) {
                    ord.record("pager", LookupOutcome.hit, i, "pager-" + i);
                    sent.add("pager-" + i);
                    ord.record("other-" + (i % 11), LookupOutcome.miss, i, "other-" + i);
                    ord.record("else-" + (i % 7), LookupOutcome.hit, i, "else-" + i);
                }
                await().atMost(PATIENCE).until(() -> ord.emitted() == 3L * mine);
            }

            List<String> seen = new ArrayList<>();
            long lastOffset = -1;
            String cursor = null;
            int pages = 0;
            do {
                String query = "/usage/pager/events?limit=70" + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
                JsonNode page = getJson(sink, query, 200);
                assertThat(page.get("events").size()).isLessThanOrEqualTo(70);
                for (JsonNode event : page.get("events")) {
                    assertThat(event.get("tenantId").asText()).isEqualTo("pager");
                    assertThat(event.get("colo").asText()).isEqualTo("ORD");
                    assertThat(event.get("offset").asLong()).isGreaterThan(lastOffset);
                    lastOffset = event.get("offset").asLong();
                    seen.add(event.get("requestId").asText());
                }
                cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
                pages++;
            } while (cursor != null);
            assertThat(seen).containsExactlyElementsOf(sent);
            assertThat(pages).isGreaterThan(mine / 70);

            // `from` seeks by time: from the epoch it is the first page, from the future it is empty.
            JsonNode fromEpoch = getJson(sink, "/usage/pager/events?limit=5&from=0", 200);
            assertThat(fromEpoch.get("events").get(0).get("requestId").asText()).isEqualTo("pager-0");
            long future = System.currentTimeMillis() + Duration.ofDays(1).toMillis();
            JsonNode fromFuture = getJson(sink, "/usage/pager/events?from=" + future, 200);
            assertThat(fromFuture.get("events")).isEmpty();
            assertThat(fromFuture.get("nextCursor").isNull()).isTrue();

            // An unknown tenant has no events: following its cursors (scans of other tenants' records) ends empty.
            String unknownCursor = "";
            do {
                JsonNode unknown = getJson(sink, "/usage/nobody/events?cursor=" + unknownCursor, 200);
                assertThat(unknown.get("events")).isEmpty();
                unknownCursor = unknown.get("nextCursor").isNull() ? null : unknown.get("nextCursor").asText();
            } while (unknownCursor != null);
            // Aggregates come from the Streams stores, queryable once the sink's stream thread runs
            // (events above are read from the topic and need no store).
            await().atMost(PATIENCE).until(() ->
                    Http.get("http://127.0.0.1:" + sink.port() + "/usage/nobody?granularity=hour").statusCode() != 503);
            assertThat(getJson(sink, "/usage/nobody?granularity=hour", 200).get("windows")).isEmpty();

            String pagerCursor = getJson(sink, "/usage/pager/events?limit=1", 200).get("nextCursor").asText();
            for (String bad : List.of(
                    "/usage/pager/events?limit=0",
                    "/usage/pager/events?limit=1001",
                    "/usage/pager/events?limit=ten",
                    "/usage/pager/events?cursor=not-a-cursor",
                    "/usage/other-1/events?cursor=" + pagerCursor,
                    "/usage/pager/events?from=yesterday",
                    "/usage/pager?from=2000&to=1000",
                    "/usage/pager?granularity=day",
                    "/usage/pager?from=0&to=" + Duration.ofDays(30).toMillis(),
                    "/usage:top?limit=0",
                    "/usage:top?window=week",
                    "/usage/bad!id/events")) {
                JsonNode error = getJson(sink, bad, 400);
                assertThat(error.get("error").asText()).as(bad).isIn("BAD_REQUEST", "INVALID_TENANT_ID");
                assertThat(error.get("message").asText()).as(bad).isNotBlank();
            }
            assertThat(getJson(sink, "/health", 200).get("status").asText()).isEqualTo("UP");
            assertThat(getJson(sink, "/health/ready", 200).get("ready").asBoolean()).isTrue();
        }
    }

    @Test
    void shouldCountEveryEventOnceTheRegistryIsBackAndSkipOnlyUndecodableOnes() throws Exception {
        countEveryEventAcrossARegistryOutage(Map.of(), await(), sink -> { });
    }

    @Test
    void shouldCountEveryEventWhenTheRegistryIsAwayLongerThanTheSinkWaitsForIt() throws Exception {
        // The sink gives up waiting after a second: its stream thread fails, uncommitted, and is replaced.
        // Those failures are the point here (counted below), so an await must not fail on them: a
        // stream thread that dies while it starts can reach the JVM's handler, which Awaitility watches.
        ConditionFactory throughThreadFailures = await().dontCatchUncaughtExceptions();
        countEveryEventAcrossARegistryOutage(Map.of(ConfigKeys.SINK_REGISTRY_PATIENCE_MS, "1000"), throughThreadFailures, sink ->
                throughThreadFailures.atMost(PATIENCE).until(() -> failedStreamThreads(sink) >= 2));
    }

    private static long failedStreamThreads(UsageSink sink) {
        Matcher m = Pattern.compile("(?m)^kafka_stream_failed_stream_threads\\S*\\{[^}]*\\} ([0-9.E]+)$")
                .matcher(Http.get("http://127.0.0.1:" + sink.port() + "/metrics").body());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    /**
     * Events emitted while the sink cannot reach the registry; {@code outage} runs before the registry
     * starts again; {@code waiting} is how the test waits once the sink runs.
     */
    private static void countEveryEventAcrossARegistryOutage(Map<String, String> extra, ConditionFactory waiting,
                                                             Consumer<UsageSink> outage) throws Exception {
        String topic = SharedKafka.uniqueName("usage-registry-outage");
        TopicSpec production = TopicsConfig.from(Settings.empty()).schemas();
        TopicSpec schemas = new TopicSpec(SharedKafka.uniqueName(production.name()), production.partitions(),
                production.replicationFactor(), production.configs());
        KafkaSettings kafka = KafkaSettings.of(SharedKafka.bootstrapServers());
        EmbeddedSchemaRegistry ownRegistry = EmbeddedSchemaRegistry.start(kafka, schemas, "127.0.0.1", 0);
        int port = ownRegistry.port();
        Map<String, String> overrides = new HashMap<>(extra);
        overrides.put(ConfigKeys.REGISTRY_URL, ownRegistry.url());
        Settings settings = settings(topic, overrides);
        int lookups = 3_000;
        long from = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
        EmbeddedSchemaRegistry restarted = null;
        try (KafkaUsageEmitter ord = emitter(settings, "ORD")) {
            // The emitter registers the schema with its first event and needs the registry no more.
            ord.record(tenant(0), outcome(0), 10, "req-0");
            await().atMost(PATIENCE).until(() -> ord.emitted() == 1);
            int schemaId = new HttpSchemaRegistryClient(ownRegistry.url())
                    .lookupId(ConfluentAvroSerializer.subjectFor(topic, false), UsageEvent.getClassSchema());
            ownRegistry.close();

            // A sink started during the outage has no schema cached: it must ask the registry for it.
            try (UsageSink sink = UsageSink.start(SinkConfig.from(settings))) {
                for (int i = 1; i < lookups; i++) {
                    ord.record(tenant(i), outcome(i), 10 + i, "req-" + i);
                }
                waiting.atMost(PATIENCE).until(() -> ord.emitted() == lookups);
                // Really undecodable: a bad magic byte, a schema id the registry will answer 404 for, truncated Avro.
                produceRaw(topic, tenant(0), new byte[] {0x7, 0, 0, 0, 1, 2});
                produceRaw(topic, tenant(0), ByteBuffer.allocate(9).put((byte) 0).putInt(Integer.MAX_VALUE - 7).putInt(42).array());
                produceRaw(topic, tenant(0), ByteBuffer.allocate(6).put((byte) 0).putInt(schemaId).put((byte) 0x7f).array());

                waiting.atMost(PATIENCE).until(() -> getJson(sink, "/stats", 200).get("registryRetries").asLong() > 0);
                JsonNode during = getJson(sink, "/stats", 200);
                assertThat(during.get("waitingForRegistry").asBoolean()).as("stats during the outage: %s", during).isTrue();
                outage.accept(sink);

                restarted = EmbeddedSchemaRegistry.start(kafka, schemas, "127.0.0.1", port);
                Map<String, List<Long>> want = new HashMap<>();
                for (int i = 0; i < lookups; i++) {
                    List<Long> counts = new ArrayList<>(want.getOrDefault(tenant(i), List.of(0L, 0L, 0L, 0L)));
                    counts.set(outcome(i).ordinal(), counts.get(outcome(i).ordinal()) + 1);
                    want.put(tenant(i), counts);
                }
                long to = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
                waiting.atMost(PATIENCE).until(() -> getJson(sink, "/stats", 200).get("lag").asLong() == 0);
                waiting.atMost(PATIENCE).until(() -> {
                    Map<String, List<Long>> got = new HashMap<>();
                    want.keySet().forEach(t -> {
                        long[] c = reported(sink, t, "hour", from, to);
                        got.put(t, List.of(c[0], c[1], c[2], c[3]));
                    });
                    return got.equals(want);
                });
                JsonNode after = getJson(sink, "/stats", 200);
                assertThat(after.get("undecodable").asLong()).as("stats: %s", after).isEqualTo(3);
                assertThat(after.get("waitingForRegistry").asBoolean()).as("stats: %s", after).isFalse();
                assertThat(Http.get("http://127.0.0.1:" + sink.port() + "/metrics").body())
                        .containsPattern("usage_sink_undecodable_events_total\\{[^}]*\\} 3\\.0")
                        .containsPattern("usage_sink_registry_retries_total\\{[^}]*\\} [1-9]");
            }
        } finally {
            if (restarted != null) {
                restarted.close();
            }
        }
    }

    private static void produceRaw(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                KafkaSettings.of(SharedKafka.bootstrapServers()).clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    @Test
    void shouldCreateTheUsageTopicWithTheConfiguredRetention() throws Exception {
        String topic = SharedKafka.uniqueName("usage-retention");
        long retentionMs = Duration.ofDays(2).toMillis();
        Settings settings = settings(topic, Map.of(
                ConfigKeys.USAGE_RETENTION_MS, Long.toString(retentionMs),
                ConfigKeys.USAGE_RETENTION_BYTES, Long.toString(256L << 20)));
        try (UsageSink sink = UsageSink.start(SinkConfig.from(settings));
                Admin admin = Admin.create(KafkaSettings.of(SharedKafka.bootstrapServers()).clientProperties())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);
            assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo(Long.toString(retentionMs));
            assertThat(config.get(TopicConfig.RETENTION_BYTES_CONFIG).value()).isEqualTo(Long.toString(256L << 20));
            // The window stores keep what the topic keeps.
            assertThat(getJson(sink, "/stats", 200).get("windowRetentionMs").asLong()).isEqualTo(retentionMs);
        }
    }
}
