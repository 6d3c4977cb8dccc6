package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.TopicOffsets;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.common.TopicPartition;

/**
 * Random hostile requests against every service of a running stack: whatever arrives, the answer
 * is never a 5xx, every error is the JSON error shape, nothing is written to the index topic, and
 * the servers do not leak threads.
 */
class HostileInputIT {
    private static LocalStack stack;
    private static String indexTopic;
    private static List<Integer> ports;
    private static Map<TopicPartition, Long> offsetsBefore;
    private static int threadsBefore;

    @BeforeContainer
    static void start() {
        String prefix = SharedKafka.uniqueName("hostile");
        indexTopic = prefix + "-index";
        stack = TestStacks.start(TestStacks.settings(prefix, "ORD:0"));
        ports = stack.urls().entrySet().stream()
                .filter(e -> e.getValue().startsWith("http") && !e.getKey().equals("registry"))
                .map(e -> URI.create(e.getValue()).getPort()).toList();
        // Hostile input starts once every service is ready: the sink's stores answer 503 NOT_READY while
        // its Streams app is still being assigned its partitions, as they should.
        String sink = stack.urls().get("usage-log-sink");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> Http.get(sink + "/health/ready").statusCode() == 200);
        offsetsBefore = TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), indexTopic);
        threadsBefore = Thread.activeCount();
    }

    @AfterContainer
    static void stop() {
        try {
            assertThat(TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), indexTopic))
                    .as("no hostile request may write to the index").isEqualTo(offsetsBefore);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(Thread.activeCount()).as("threads after the run").isLessThan(threadsBefore + 20));
        } finally {
            stack.close();
        }
    }

    record Hostile(int port, String method, String target, List<String> headers, byte[] body) {
        @Override
        public String toString() {
            List<String> shortHeaders = headers.stream().map(h -> h.length() > 60 ? h.substring(0, 60) + "…" : h).toList();
            String shortTarget = target.length() > 120 ? target.substring(0, 120) + "…" : target;
            return method + " :" + port + shortTarget + " " + shortHeaders + " body[" + body.length + "]="
                    + new String(body, 0, Math.min(80, body.length), StandardCharsets.ISO_8859_1);
        }
    }

    @Property(tries = 400)
    void shouldNeverAnswer5xxNorWriteAnything(@ForAll("hostileRequests") Hostile r) throws Exception {
        RawHttp.Response response = RawHttp.send(r.port, r.method, r.target, r.headers, r.body);
        assertThat(response.status()).as("%s → %s", r, response).isLessThan(500);
        if (response.status() >= 400 && !"HEAD".equals(r.method)) {
            assertThat(response.contentType()).as("%s → %s", r, response).startsWith("application/json");
            JsonNode error = Json.MAPPER.readTree(response.body());
            assertThat(error.path("error").asText()).as("%s → %s", r, response.body()).isNotBlank();
            assertThat(error.path("message").isTextual()).as("%s", r).isTrue();
        }
    }

    @Example
    void shouldAnswerAMalformedPercentEscapeInAPathParameterWith400() throws Exception {
        // Found by the property above: Jetty passes "/usage/;%" on, and decoding the parameter failed with a 500.
        for (int port : ports) {
            RawHttp.Response r = RawHttp.send(port, "GET", "/usage/;%", List.of(), new byte[0]);
            assertThat(r.status()).as("port %d: %s", port, r).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).isEqualTo("BAD_REQUEST");
        }
    }

    @Example
    void shouldCutOffASlowlorisBodyInsteadOfHoldingAThread() {
        int writerPort = URI.create(stack.writerUrl()).getPort();
        byte[] body = "{\"metadata\":{\"tier\":\"pro\"}}".repeat(40).getBytes(StandardCharsets.UTF_8);
        // With a valid token, so that the server gets as far as reading the body.
        List<String> auth = List.of("Authorization: Bearer " + stack.credentials().orElseThrow().writerToken());
        int status = RawHttp.trickle(writerPort, "/tenants/slow-client", auth, body, 1_000, 60_000);
        assertThat(status).as("the server ended the trickle: an error status or a hang-up").isIn(-1, 400, 408, 413);
    }

    @Provide
    Arbitrary<Hostile> hostileRequests() {
        Arbitrary<Integer> port = Arbitraries.of(ports);
        Arbitrary<String> method = Arbitraries.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "BREW");
        return Combinators.combine(port, method, targets(), headers(stack.credentials().orElseThrow().adminToken()), bodies())
                .as(Hostile::new);
    }

    private static Arbitrary<String> targets() {
        Arbitrary<String> id = Arbitraries.oneOf(
                Arbitraries.strings().ofMinLength(0).ofMaxLength(40).withChars("abcXYZ09._-~%/\\:;'\"<>|*?"),
                Arbitraries.of("..%2F..%2Fetc%2Fpasswd", "%2e%2e", "a%00b", "%ff%fe", "a".repeat(300), "-lead",
                        "%C0%AF", "tenants", "top", "x%20y", "%E2%80%AE"));
        Arbitrary<String> path = Arbitraries.oneOf(
                id.map(i -> "/tenants/" + i),
                id.map(i -> "/usage/" + i),
                id.map(i -> "/usage/" + i + "/events"),
                Arbitraries.of("/tenants:import", "/tenants", "/stats", "/digest", "/replicas", "/health", "/health/ready",
                        "/metrics", "/usage:top", "/../../etc/passwd", "//", "/%", "/tenants/", "/*"));
        Arbitrary<String> query = Arbitraries.of("", "?token=%%%", "?token=djE6eDox", "?wait=-5", "?wait=99999999999999999999",
                "?limit=0", "?limit=100000", "?after=%ff", "?from=yesterday&to=1", "?granularity=fortnight",
                "?cursor=!!!", "?limit=1&limit=2", "?" + "x=1&".repeat(500));
        return Combinators.combine(path, query).as(String::concat);
    }

    /** Half of the writes carry a valid token, so the parsers behind authentication are hammered too. */
    private static Arbitrary<List<String>> headers(String adminToken) {
        Arbitrary<String> header = Arbitraries.of("Authorization: Bearer " + adminToken, "Authorization: Bearer " + adminToken,
                "Content-Type: application/json", "Content-Type: application/x-ndjson", "Content-Type: text/plain",
                "Content-Type: application/json; charset=latin-1", "Content-Type: ;;;", "If-Match: \"abc\"",
                "If-Match: *", "If-None-Match: W/\"1\"", "If-Match: \"99999999999999999999\"",
                "X-Consistency-Token: bm9wZQ", "X-Consistency-Token: ", "Authorization: Bearer nope",
                "Content-Encoding: gzip", "Accept: text/html", "X-Padding: " + "p".repeat(20_000));
        return header.list().ofMaxSize(4).map(ArrayList::new);
    }

    private static Arbitrary<byte[]> bodies() {
        Arbitrary<String> text = Arbitraries.of(
                "", "{", "[]", "null", "\"str\"", "{\"metadata\":{\"tier\":7}}", "{\"metadata\":{\"tier\":\"gold\"}}",
                "{\"metadata\":{\"tier\":\"pro\",\"tier\":\"free\"}}", "{\"metadata\":{\"tier\":\"pro\"},\"x\":1}",
                "{\"metadata\":{\"tier\":\"pro\",\"maxConnections\":1e999}}",
                "{\"metadata\":{\"tier\":\"pro\",\"maxConnections\":123456789012345678901234567890}}",
                "[".repeat(5_000) + "]".repeat(5_000), "{\"a\":".repeat(2_000) + "1" + "}".repeat(2_000),
                "{\"tenantId\":\"../x\",\"metadata\":{\"tier\":\"free\"}}\nnot json\n",
                "{\"metadata\":{\"tier\":\"pro\",\"region\":\"" + "r".repeat(70_000) + "\"}}");
        Arbitrary<byte[]> invalidUtf8 = Arbitraries.of(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'},
                new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 0}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        return Arbitraries.oneOf(text.map(s -> s.getBytes(StandardCharsets.UTF_8)), invalidUtf8,
                Arbitraries.bytes().array(byte[].class).ofMaxSize(256));
    }
}
