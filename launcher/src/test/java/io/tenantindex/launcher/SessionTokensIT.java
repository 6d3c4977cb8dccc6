package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.protocol.ApiHeaders;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.protocol.VersionedCodec;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.TopicOffsets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Session tokens end to end on the local stack (writer and one colo on the shared real broker): one
 * token carried through writes on every partition, or returned by an import, lets the colo answer
 * every write of the session (the CLI's import carries it from chunk to chunk); tokens of another
 * topic or partition count are 400 at the writer
 * (nothing written) and at the colo; tokens of the older v1 form still work at both.
 */
class SessionTokensIT {
    private static final int PARTITIONS = 4;
    private static final String WAIT = "?wait=10s";
    private static LocalStack stack;
    private static String topic;
    private static String writer;
    private static String colo;

    @BeforeAll
    static void start() {
        String prefix = SharedKafka.uniqueName("session");
        topic = prefix + "-index";
        stack = TestStacks.start(TestStacks.settings(prefix, "ORD:0").with(ConfigKeys.INDEX_PARTITIONS, Integer.toString(PARTITIONS)));
        writer = stack.writerUrl();
        colo = stack.coloUrls().get("ORD");
        // A colo that is not ready answers even a tokened lookup 503 at once: no test starts before it is.
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.colos().get("ORD").isReady());
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /** The admin's bearer token (it may write too), then X-Consistency-Token when {@code token} is not null, then {@code more}. */
    private static String[] headers(String token, String... more) {
        List<String> headers = new ArrayList<>(List.of("Authorization", "Bearer " + stack.credentials().orElseThrow().adminToken()));
        if (token != null) {
            headers.addAll(List.of(ApiHeaders.CONSISTENCY_TOKEN, token));
        }
        headers.addAll(List.of(more));
        return headers.toArray(String[]::new);
    }

    private static String body(String tier) {
        return "{\"metadata\":{\"tier\":\"" + tier + "\",\"features\":[],\"maxConnections\":10,\"region\":\"us\"}}";
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    private static String tokenOf(HttpResponse<String> r) {
        return r.headers().firstValue(ApiHeaders.CONSISTENCY_TOKEN).orElseThrow();
    }

    private static ConsistencyToken decode(String token) {
        return ConsistencyToken.decode(token, topic, PARTITIONS);
    }

    private static HttpResponse<String> importNdjson(String ndjson, String token) {
        return Http.send(Http.builder(writer + "/tenants:import", headers(token, "Content-Type", "application/x-ndjson"))
                .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build());
    }

    private static Map<TopicPartition, Long> endOffsets() {
        return TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), topic);
    }

    /** Tenant ids with the prefix that land on every partition, {@code perPartition} on each. */
    private static List<String> idsOnEveryPartition(String prefix, int perPartition) {
        int[] taken = new int[PARTITIONS];
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < PARTITIONS * perPartition; i++) {
            String id = prefix + "-" + i;
            int partition = IndexPartitioner.partitionFor(id, PARTITIONS);
            if (taken[partition] < perPartition) {
                taken[partition]++;
                ids.add(id);
            }
        }
        return ids;
    }

    @Test
    void shouldReadEveryWriteOfASessionInTheColoWithTheSessionsLastToken() throws Exception {
        List<String> ids = idsOnEveryPartition(SharedKafka.uniqueName("s"), 3);
        Map<String, Long> versions = new LinkedHashMap<>();
        String session = null;
        for (String id : ids) {
            HttpResponse<String> w = Http.putJson(writer + "/tenants/" + id, body("pro"), headers(session));
            assertThat(w.statusCode()).isEqualTo(201);
            session = continued(session, tokenOf(w), id);
            versions.put(id, json(w).get("version").asLong());
        }
        // Updates and a delete continue the session too.
        for (String id : ids.subList(0, PARTITIONS)) {
            HttpResponse<String> w = Http.putJson(writer + "/tenants/" + id, body("enterprise"), headers(session));
            assertThat(w.statusCode()).isEqualTo(200);
            session = continued(session, tokenOf(w), id);
            versions.put(id, json(w).get("version").asLong());
        }
        String deleted = ids.get(ids.size() - 1);
        HttpResponse<String> d = Http.delete(writer + "/tenants/" + deleted, headers(session));
        assertThat(d.statusCode()).isEqualTo(204);
        session = continued(session, tokenOf(d), deleted);
        versions.remove(deleted);

        assertThat(decode(session).offsets().keySet()).containsExactly(0, 1, 2, 3);
        for (Map.Entry<String, Long> written : versions.entrySet()) {
            HttpResponse<String> r = Http.get(colo + "/tenants/" + written.getKey() + WAIT, ApiHeaders.CONSISTENCY_TOKEN, session);
            assertThat(r.statusCode()).as(written.getKey()).isEqualTo(200);
            assertThat(json(r).get("version").asLong()).as(written.getKey()).isEqualTo(written.getValue());
        }
        assertThat(Http.get(colo + "/tenants/" + deleted + WAIT, ApiHeaders.CONSISTENCY_TOKEN, session).statusCode()).isEqualTo(404);
    }

    /** The answer's token covers the session it continued and names the written tenant's partition. */
    private static String continued(String session, String answer, String tenantId) {
        ConsistencyToken token = decode(answer);
        if (session != null) {
            assertThat(token.merge(decode(session))).isEqualTo(token);
        }
        assertThat(token.offsets()).containsKey(IndexPartitioner.partitionFor(tenantId, PARTITIONS));
        return answer;
    }

    @Test
    void shouldAnswerAnImportWithOneTokenCoveringEveryLineAndTheSessionItContinued() throws Exception {
        String prefix = SharedKafka.uniqueName("imp");
        HttpResponse<String> first = Http.putJson(writer + "/tenants/" + prefix + "-before", body("free"), headers(null));
        assertThat(first.statusCode()).isEqualTo(201);
        List<String> ids = idsOnEveryPartition(prefix, 50);
        String ndjson = ids.stream().map(id -> "{\"tenantId\":\"" + id + "\",\"metadata\":{\"tier\":\"pro\"}}\n")
                .collect(Collectors.joining()) + "{\"tenantId\":\"bad id\"}\n";
        Map<TopicPartition, Long> before = endOffsets();

        HttpResponse<String> r = importNdjson(ndjson, tokenOf(first));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("written").asLong()).isEqualTo(ids.size());
        assertThat(json(r).get("failed").asLong()).isEqualTo(1);
        assertThat(tokenOf(r)).isEqualTo(json(r).get("token").asText());
        // Nothing else writes this topic now, so the last line the import wrote to each partition sits
        // just before its transaction's commit marker: the token names exactly those offsets. The
        // broker writes the markers after the commit returned: wait until every one is there.
        Map<TopicPartition, Long> ends = await().atMost(Duration.ofSeconds(10)).until(SessionTokensIT::endOffsets,
                uncommitted -> uncommitted.equals(TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), topic, IsolationLevel.READ_COMMITTED)));
        NavigableMap<Integer, Long> lastLines = new TreeMap<>();
        ends.forEach((tp, end) -> {
            if (end > before.get(tp)) {
                lastLines.put(tp.partition(), end - 2);
            }
        });
        assertThat(lastLines.keySet()).containsExactly(0, 1, 2, 3);
        assertThat(decode(tokenOf(r))).isEqualTo(decode(tokenOf(first)).merge(new ConsistencyToken(topic, PARTITIONS, lastLines)));
        for (String id : ids) {
            assertThat(Http.get(colo + "/tenants/" + id + WAIT, ApiHeaders.CONSISTENCY_TOKEN, tokenOf(r)).statusCode()).as(id).isEqualTo(200);
        }
        assertThat(Http.get(colo + "/tenants/" + prefix + "-before" + WAIT, ApiHeaders.CONSISTENCY_TOKEN, tokenOf(r)).statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldCarryTheSessionAcrossTheClisImportChunksSoItsTokenCoversEveryLine() throws Exception {
        List<String> ids = idsOnEveryPartition(SharedKafka.uniqueName("cli"), 4);
        Path file = Files.createTempFile(SharedKafka.tempDir("cli-session"), "tenants", ".ndjson");
        Files.writeString(file, ids.stream().map(id -> "{\"tenantId\":\"" + id + "\",\"metadata\":{\"tier\":\"free\"}}\n")
                .collect(Collectors.joining()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int exit;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            // Three lines a request: the last chunk's answer alone names only a partition or three.
            exit = new CommandLine(new TenantIndexCli()).execute("import", file.toString(), "--chunk-lines", "3", "--json",
                    "--writer-url", writer, "--auth-token", stack.credentials().orElseThrow().adminToken());
        } finally {
            System.setOut(stdout);
        }
        assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        String token = Json.MAPPER.readTree(lines[lines.length - 1]).get("token").asText();
        assertThat(decode(token).offsets().keySet()).containsExactly(0, 1, 2, 3);
        for (String id : ids) {
            assertThat(Http.get(colo + "/tenants/" + id + WAIT, ApiHeaders.CONSISTENCY_TOKEN, token).statusCode()).as(id).isEqualTo(200);
        }
    }

    @Test
    void shouldRefuseForeignAndMalformedTokensWith400AtTheWriterWithoutWritingAndAtTheColo() throws Exception {
        String id = SharedKafka.uniqueName("foreign");
        List<String> foreign = List.of(
                ConsistencyToken.of(topic + "-other", PARTITIONS, 0, 1).encode(),
                ConsistencyToken.of(topic, PARTITIONS + 2, 0, 1).encode(),
                new VersionedCodec("v1", 3).encode(topic + "-other", 0, 1),
                new VersionedCodec("v1", 3).encode(topic, PARTITIONS, 1),
                "not-a-token");
        Map<TopicPartition, Long> before = endOffsets();
        for (String token : foreign) {
            List<HttpResponse<String>> answers = List.of(
                    Http.putJson(writer + "/tenants/" + id, body("pro"), headers(token)),
                    Http.delete(writer + "/tenants/" + id, headers(token)),
                    importNdjson("{\"tenantId\":\"" + id + "\",\"metadata\":{\"tier\":\"pro\"}}\n", token),
                    Http.get(colo + "/tenants/" + id, ApiHeaders.CONSISTENCY_TOKEN, token));
            for (HttpResponse<String> r : answers) {
                assertThat(r.statusCode()).as("%s %s", r.request().method(), token).isEqualTo(400);
                assertThat(json(r).get("error").asText()).isEqualTo("INVALID_TOKEN");
            }
        }
        assertThat(endOffsets()).isEqualTo(before);
        assertThat(Http.get(writer + "/tenants/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldStillHonourAV1TokenAtTheWriterAndTheColo() throws Exception {
        String id = SharedKafka.uniqueName("old");
        HttpResponse<String> w = Http.putJson(writer + "/tenants/" + id, body("pro"), headers(null));
        Map.Entry<Integer, Long> at = decode(tokenOf(w)).offsets().firstEntry();
        String v1 = new VersionedCodec("v1", 3).encode(topic, at.getKey(), at.getValue());

        HttpResponse<String> r = Http.get(colo + "/tenants/" + id + WAIT, ApiHeaders.CONSISTENCY_TOKEN, v1);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("version").asLong()).isEqualTo(1);

        HttpResponse<String> next = Http.putJson(writer + "/tenants/" + id + "-next", body("pro"), headers(v1));
        assertThat(next.statusCode()).isEqualTo(201);
        assertThat(decode(tokenOf(next)).merge(ConsistencyToken.of(topic, PARTITIONS, at.getKey(), at.getValue())))
                .isEqualTo(decode(tokenOf(next)));
    }
}
