package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.common.config.Settings;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.TopicOffsets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away in the middle of a bulk import and comes back: every write the writer
 * acknowledged (checked by tenant id) is there afterwards, nothing appears twice, and the writer
 * serves again by itself.
 */
class BrokerRestartIT {
    private static final int IMPORT_LINES = 800;

    @Test
    void shouldKeepEveryAcknowledgedWriteAcrossABrokerRestartMidImport() throws Exception {
        Path dir = SharedKafka.tempDir("restart-kafka");
        int port = EmbeddedKafkaBroker.freePort();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, port, Map.of());
        String bootstrap = broker.bootstrapServers();
        String topic = "restart-index";
        int tenants = 40_000;
        String ndjson = IntStream.range(0, tenants)
                .mapToObj(BrokerRestartIT::line)
                .collect(Collectors.joining("\n"));
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(KafkaSettings.of(bootstrap),
                TopicsConfig.from(Settings.empty()).schemas(), "127.0.0.1", 0)) {
            Settings settings = WriterFixture.settings(topic, 3, "primary").with(Map.of(
                    ConfigKeys.BOOTSTRAP_SERVERS, bootstrap,
                    ConfigKeys.REGISTRY_URL, registry.url(),
                    ConfigKeys.WRITER_MAX_BATCH, "500",
                    ConfigKeys.WRITER_KAFKA_TIMEOUT_MS, "2000"));
            try (WriterApp writer = WriterApp.start(WriterConfig.from(settings))) {
                String base = "http://127.0.0.1:" + writer.port();
                CompletableFuture<ImportOutcome> firstImport = CompletableFuture.supplyAsync(() -> importInParts(base, tenants));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() ->
                        TopicOffsets.endOffsets(bootstrap, topic).values().stream().mapToLong(Long::longValue).sum() > 2_000);
                broker.close();
                // Stay down past the writer's Kafka timeout, so that transactions really fail and the
                // writer has to recover (a quick restart is ridden out by the producer's retries).
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        Json.MAPPER.readTree(Http.get(base + "/health").body()).at("/writes/failed").asLong() > 0);
                broker = EmbeddedKafkaBroker.start(dir, port, Map.of());

                ImportOutcome outcome = firstImport.get();
                assertThat(outcome.acknowledged().size() + outcome.failed().size()).isEqualTo(tenants);
                assertThat(outcome.failed()).as("the outage failed some writes").isNotEmpty();

                // The writer recovers by itself: new writes succeed without a restart.
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        Http.putJson(base + "/tenants/after-outage", "{\"metadata\":{\"tier\":\"free\"}}").statusCode() == 201);

                Map<String, List<Long>> committed = committedVersions(bootstrap, topic);
                // Every acknowledged write is there, exactly once; an unacknowledged one was either
                // committed whole (its outcome was uncertain) or not at all — never twice.
                for (String id : outcome.acknowledged()) {
                    assertThat(committed.get(id)).as("acknowledged %s", id).containsExactly(1L);
                }
                for (String id : outcome.failed()) {
                    if (committed.containsKey(id)) {
                        assertThat(committed.get(id)).as("unacknowledged %s", id).containsExactly(1L);
                    }
                }

                // Re-importing continues every tenant's sequence from what was really committed.
                JsonNode again = Json.MAPPER.readTree(Http.send(Http.builder(base + "/tenants:import", "Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build()).body());
                assertThat(again.get("written").asLong()).isEqualTo(tenants);
                Map<String, List<Long>> finalState = committedVersions(bootstrap, topic);
                for (int i = 0; i < tenants; i++) {
                    List<Long> versions = finalState.get("r" + i);
                    assertThat(versions).as("r" + i).isIn(List.of(1L), List.of(1L, 2L));
                }
            }
        } finally {
            broker.close();
        }
    }

    private static String line(int i) {
        return "{\"tenantId\":\"r" + i + "\",\"metadata\":{\"tier\":\"pro\"}}";
    }

    /** Which tenants the writer acknowledged and which it reported failed, every one by id. */
    private record ImportOutcome(Set<String> acknowledged, Set<String> failed) {
    }

    /**
     * Imports r0 … r(tenants-1) in consecutive requests of {@link #IMPORT_LINES} lines. An import
     * lists at most 1,000 failed lines, so a part that small names every failure and its
     * acknowledged writes are exactly its other lines.
     */
    private static ImportOutcome importInParts(String base, int tenants) {
        Set<String> acknowledged = new HashSet<>();
        Set<String> failed = new HashSet<>();
        for (int from = 0; from < tenants; from += IMPORT_LINES) {
            int to = Math.min(tenants, from + IMPORT_LINES);
            String ndjson = IntStream.range(from, to).mapToObj(BrokerRestartIT::line).collect(Collectors.joining("\n"));
            JsonNode report;
            try {
                report = Json.MAPPER.readTree(Http.send(Http.builder(base + "/tenants:import", "Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build()).body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(report.get("written").asLong() + report.get("failed").asLong()).as("import report %s", report).isEqualTo(to - from);
            assertThat(report.get("errors").size()).as("every failed line is listed: %s", report).isEqualTo(report.get("failed").asInt());
            Set<String> failedHere = new HashSet<>();
            report.get("errors").forEach(e -> failedHere.add(e.get("tenantId").asText()));
            for (int i = from; i < to; i++) {
                (failedHere.contains("r" + i) ? failed : acknowledged).add("r" + i);
            }
        }
        return new ImportOutcome(acknowledged, failed);
    }

    private static Map<String, List<Long>> committedVersions(String bootstrap, String topic) {
        return CommittedRecords.versionsByTenant(bootstrap, topic);
    }
}
