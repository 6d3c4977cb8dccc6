package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.TenantIds;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.TopicOffsets;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The writer's HTTP contract against a real broker and the real registry. */
class WriterIT {
    private static String topic;
    private static WriterApp writer;
    private static String base;

    @BeforeAll
    static void start() {
        topic = SharedKafka.uniqueName("writer-it");
        writer = WriterFixture.start(topic, SharedKafka.uniqueName("w"));
        base = "http://127.0.0.1:" + writer.port();
    }

    @AfterAll
    static void stop() {
        writer.close();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void shouldCreateThenUpdateWithIncrementingVersionsAndTokens() throws Exception {
        String id = SharedKafka.uniqueName("acme");
        HttpResponse<String> created = Http.putJson(base + "/tenants/" + id, WriterFixture.body("pro"));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("ETag")).hasValue("\"1\"");
        JsonNode entry = json(created);
        assertThat(entry.get("tenantId").asText()).isEqualTo(id);
        assertThat(entry.get("doId").asText()).isEqualTo(TenantIds.doIdFor(id)).hasSize(64);
        assertThat(entry.get("version").asLong()).isEqualTo(1);
        assertThat(entry.at("/metadata/tier").asText()).isEqualTo("pro");
        assertThat(entry.at("/metadata/maxConnections").asInt()).isEqualTo(100);
        ConsistencyToken token = ConsistencyToken.decode(created.headers().firstValue("X-Consistency-Token").orElseThrow(), topic, 3);
        assertThat(token.offsets()).hasSize(1);
        int partition = token.offsets().firstKey();
        assertThat(partition).isBetween(0, 2);

        HttpResponse<String> updated = Http.putJson(base + "/tenants/" + id, WriterFixture.body("enterprise"));
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(json(updated).get("version").asLong()).isEqualTo(2);
        assertThat(json(updated).get("registeredAt").asLong()).isEqualTo(entry.get("registeredAt").asLong());
        ConsistencyToken second = ConsistencyToken.decode(updated.headers().firstValue("X-Consistency-Token").orElseThrow(), topic, 3);
        assertThat(second.offsets().keySet()).containsExactly(partition);
        assertThat(second.offsets().get(partition)).isGreaterThan(token.offsets().get(partition));

        HttpResponse<String> read = Http.get(base + "/tenants/" + id);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(json(read).at("/metadata/tier").asText()).isEqualTo("enterprise");
        assertThat(read.headers().firstValue("ETag")).hasValue("\"2\"");
    }

    @Test
    void shouldTombstoneOnDeleteAndContinueTheVersionSequenceOnReRegistration() throws Exception {
        String id = SharedKafka.uniqueName("gone");
        Http.putJson(base + "/tenants/" + id, WriterFixture.body("free"));
        Http.putJson(base + "/tenants/" + id, WriterFixture.body("pro"));
        HttpResponse<String> deleted = Http.delete(base + "/tenants/" + id);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.headers().firstValue("X-Consistency-Token")).isPresent();
        assertThat(Http.get(base + "/tenants/" + id).statusCode()).isEqualTo(404);
        assertThat(json(Http.get(base + "/tenants/" + id)).get("error").asText()).isEqualTo("TENANT_NOT_FOUND");

        HttpResponse<String> again = Http.putJson(base + "/tenants/" + id, WriterFixture.body("free"));
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(json(again).get("version").asLong()).isEqualTo(3);
    }

    @Test
    void shouldHonourIfMatchAndIfNoneMatch() throws Exception {
        String id = SharedKafka.uniqueName("occ");
        assertThat(Http.putJson(base + "/tenants/" + id, WriterFixture.body("free"), "If-None-Match", "*").statusCode()).isEqualTo(201);
        Map<TopicPartition, Long> before = TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), topic);

        HttpResponse<String> exists = Http.putJson(base + "/tenants/" + id, WriterFixture.body("pro"), "If-None-Match", "*");
        assertThat(exists.statusCode()).isEqualTo(412);
        assertThat(json(exists).get("error").asText()).isEqualTo("PRECONDITION_FAILED");
        HttpResponse<String> stale = Http.putJson(base + "/tenants/" + id, WriterFixture.body("pro"), "If-Match", "\"7\"");
        assertThat(stale.statusCode()).isEqualTo(412);
        HttpResponse<String> staleDelete = Http.delete(base + "/tenants/" + id, "If-Match", "\"2\"");
        assertThat(staleDelete.statusCode()).isEqualTo(412);
        String expected = "{\"expectedVersion\":5,\"metadata\":{\"tier\":\"pro\"}}";
        HttpResponse<String> conflict = Http.putJson(base + "/tenants/" + id, expected);
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(json(conflict).get("error").asText()).isEqualTo("VERSION_CONFLICT");
        assertThat(TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), topic)).isEqualTo(before);

        HttpResponse<String> ok = Http.putJson(base + "/tenants/" + id, WriterFixture.body("pro"), "If-Match", "\"1\"");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("ETag")).hasValue("\"2\"");
    }

    @Test
    void shouldLetExactlyOneOf32ConcurrentConditionalUpdatesWin() throws Exception {
        String id = SharedKafka.uniqueName("race");
        Http.putJson(base + "/tenants/" + id, WriterFixture.body("free"));
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                calls.add(CompletableFuture.supplyAsync(() ->
                        Http.putJson(base + "/tenants/" + id, WriterFixture.body("pro"), "If-Match", "\"1\"").statusCode(), pool));
            }
            List<Integer> statuses = calls.stream().map(CompletableFuture::join).toList();
            assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 412).hasSize(31);
        } finally {
            pool.shutdownNow();
        }
        assertThat(json(Http.get(base + "/tenants/" + id)).get("version").asLong()).isEqualTo(2);
    }

    @Test
    void shouldImportNdjsonReportingBadLinesAndWritingTheRest() throws Exception {
        String a = SharedKafka.uniqueName("imp");
        String b = SharedKafka.uniqueName("imp");
        String ndjson = "{\"tenantId\":\"" + a + "\",\"metadata\":{\"tier\":\"free\"}}\n"
                + "{\"tenantId\":\"bad id\",\"metadata\":{\"tier\":\"free\"}}\n"
                + "not json\n"
                + "\n"
                + "{\"tenantId\":\"" + b + "\",\"coloHint\":\"AMS\",\"metadata\":{\"tier\":\"gold\"}}\n"
                + "{\"tenantId\":\"" + b + "\",\"coloHint\":\"AMS\",\"metadata\":{\"tier\":\"pro\"}}\n";
        HttpResponse<String> r = Http.send(Http.builder(base + "/tenants:import", "Content-Type", "application/x-ndjson")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(ndjson)).build());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode report = json(r);
        assertThat(report.get("lines").asLong()).isEqualTo(5);
        assertThat(report.get("written").asLong()).isEqualTo(2);
        assertThat(report.get("failed").asLong()).isEqualTo(3);
        assertThat(report.get("errors")).extracting(e -> e.get("line").asInt()).containsExactly(2, 3, 5);
        assertThat(report.get("errors").get(0).get("error").asText()).isEqualTo("INVALID_TENANT_ID");
        assertThat(r.headers().firstValue("X-Consistency-Token")).hasValue(report.get("token").asText());
        assertThat(json(Http.get(base + "/tenants/" + a)).get("version").asLong()).isEqualTo(1);
        assertThat(json(Http.get(base + "/tenants/" + b)).at("/metadata/tier").asText()).isEqualTo("pro");
    }

    @Test
    void shouldReportHealthAndDigest() throws Exception {
        JsonNode health = json(Http.get(base + "/health"));
        assertThat(health.get("status").asText()).isEqualTo("UP");
        assertThat(Http.get(base + "/health/ready").statusCode()).isEqualTo(200);
        String id = SharedKafka.uniqueName("dig");
        String before = json(Http.get(base + "/digest")).get("digest").asText();
        Http.putJson(base + "/tenants/" + id, WriterFixture.body("free"));
        JsonNode after = json(Http.get(base + "/digest"));
        assertThat(after.get("digest").asText()).isNotEqualTo(before);
        assertThat(after.get("partitions")).hasSize(3);
    }

    @Test
    void shouldExposePrometheusMetricsForWritesAndTheProducer() {
        Http.putJson(base + "/tenants/" + SharedKafka.uniqueName("m"), WriterFixture.body("free"));
        HttpResponse<String> metrics = Http.get(base + "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(metrics.body())
                .containsPattern("tenant_index_writes_total\\{[^}]*result=\"committed\"[^}]*\\} [1-9]")
                .contains("tenant_index_write_latency_seconds_bucket")
                .contains("tenant_index_writer_fenced{")
                .contains("kafka_producer_")
                .contains("jvm_memory_used_bytes");
    }
}
