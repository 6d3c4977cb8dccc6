package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.TopicOffsets;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad write gets a clear JSON error and leaves the topic exactly as it was. */
class WriterBadInputIT {
    private static String topic;
    private static WriterApp writer;
    private static String base;
    private static final String EXISTING = "existing-tenant";

    @BeforeAll
    static void start() {
        topic = SharedKafka.uniqueName("writer-bad");
        writer = WriterFixture.start(topic, SharedKafka.uniqueName("w"));
        base = "http://127.0.0.1:" + writer.port();
        assertThat(Http.putJson(base + "/tenants/" + EXISTING, WriterFixture.body("pro")).statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        writer.close();
    }

    static Stream<Arguments> badRequests() {
        String ok = WriterFixture.body("pro");
        String huge = "{\"metadata\":{\"tier\":\"pro\",\"region\":\"" + "x".repeat(70 * 1024) + "\"}}";
        return Stream.of(
                Arguments.of("malformed JSON", put("t1", "{\"metadata\":", "application/json"), 400, "BAD_REQUEST"),
                Arguments.of("trailing garbage", put("t1", ok + "}", "application/json"), 400, "BAD_REQUEST"),
                Arguments.of("JSON array", put("t1", "[]", "application/json"), 400, "BAD_REQUEST"),
                Arguments.of("tier of wrong type", put("t1", "{\"metadata\":{\"tier\":5}}", "application/json"), 400, "BAD_REQUEST"),
                Arguments.of("maxConnections as string", put("t1", "{\"metadata\":{\"tier\":\"pro\",\"maxConnections\":\"100\"}}", "application/json"), 400, "BAD_REQUEST"),
                Arguments.of("maxConnections beyond int", put("t1", "{\"metadata\":{\"tier\":\"pro\",\"maxConnections\":99999999999}}", "application/json"), 400, "BAD_REQUEST"),
                Arguments.of("features not strings", put("t1", "{\"metadata\":{\"tier\":\"pro\",\"features\":[1]}}", "application/json"), 400, "BAD_REQUEST"),
                Arguments.of("unknown tier", put("t1", "{\"metadata\":{\"tier\":\"gold\"}}", "application/json"), 400, "BAD_REQUEST"),
                Arguments.of("missing metadata", put("t1", "{\"coloHint\":\"SJC\"}", "application/json"), 400, "BAD_REQUEST"),
                Arguments.of("unknown field", put("t1", "{\"metadata\":{\"tier\":\"pro\"},\"owner\":\"x\"}", "application/json"), 400, "BAD_REQUEST"),
                Arguments.of("duplicate key", put("t1", "{\"metadata\":{\"tier\":\"pro\",\"tier\":\"free\"}}", "application/json"), 400, "BAD_REQUEST"),
                Arguments.of("tenant id with leading dash", put("-bad", ok, "application/json"), 400, "INVALID_TENANT_ID"),
                Arguments.of("tenant id with a space", put("a%20b", ok, "application/json"), 400, "INVALID_TENANT_ID"),
                Arguments.of("tenant id of 129 chars", put("a".repeat(129), ok, "application/json"), 400, "INVALID_TENANT_ID"),
                Arguments.of("body over 64 KiB", put("t1", huge, "application/json"), 413, "PAYLOAD_TOO_LARGE"),
                Arguments.of("text/plain body", put("t1", ok, "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE"),
                Arguments.of("no content type", HttpRequest.newBuilder(uri("/tenants/t1")).PUT(HttpRequest.BodyPublishers.ofString(ok)), 415, "UNSUPPORTED_MEDIA_TYPE"),
                Arguments.of("stale If-Match", put("existing-tenant", ok, "application/json").header("If-Match", "\"9\""), 412, "PRECONDITION_FAILED"),
                Arguments.of("malformed If-Match", put("existing-tenant", ok, "application/json").header("If-Match", "abc"), 400, "BAD_REQUEST"),
                Arguments.of("create-only on existing", put("existing-tenant", ok, "application/json").header("If-None-Match", "*"), 412, "PRECONDITION_FAILED"),
                Arguments.of("delete of unknown tenant", HttpRequest.newBuilder(uri("/tenants/nobody-here")).DELETE(), 404, "TENANT_NOT_FOUND"),
                Arguments.of("import with wrong type", HttpRequest.newBuilder(uri("/tenants:import")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}")), 415, "UNSUPPORTED_MEDIA_TYPE"),
                Arguments.of("import with only bad lines", HttpRequest.newBuilder(uri("/tenants:import")).header("Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"tenantId\":\"x\"}\nnope\n")), 400, null),
                Arguments.of("unknown route", HttpRequest.newBuilder(uri("/nope")).GET(), 404, "NOT_FOUND"));
    }

    private static java.net.URI uri(String path) {
        return java.net.URI.create(base + path);
    }

    private static HttpRequest.Builder put(String id, String body, String contentType) {
        return HttpRequest.newBuilder(uri("/tenants/" + id)).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofString(body));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void shouldRejectWithJsonErrorAndWriteNothing(String name, HttpRequest.Builder request, int status, String code) throws Exception {
        Map<TopicPartition, Long> before = TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), topic);
        HttpResponse<String> r = Http.send(request.build());
        assertThat(r.statusCode()).as(name).isEqualTo(status);
        if (code != null) {
            JsonNode error = Json.MAPPER.readTree(r.body());
            assertThat(error.get("error").asText()).as(name).isEqualTo(code);
            assertThat(error.get("message").asText()).as(name).isNotBlank();
        }
        assertThat(TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), topic)).as(name).isEqualTo(before);
        assertThat(Json.MAPPER.readTree(Http.get(base + "/tenants/" + EXISTING).body()).get("version").asLong()).isEqualTo(1);
    }
}
