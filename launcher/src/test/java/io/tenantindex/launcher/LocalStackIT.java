package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.SseReader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walk-through of the README, end to end: the local stack (against the shared real broker, on
 * free ports, in a temporary directory) accepts writes at the writer and serves them in all three
 * colos, with read-your-writes tokens honoured everywhere.
 */
class LocalStackIT {
    private static final int PARTITIONS = 6;
    private static LocalStack stack;
    private static String indexTopic;
    private static String writer;
    private static List<String> colos;

    @BeforeAll
    static void start() {
        String prefix = SharedKafka.uniqueName("stack");
        indexTopic = prefix + "-index";
        stack = TestStacks.start(TestStacks.settings(prefix, "ORD:0,SIN:0,AMS:0")
                .with(ConfigKeys.INDEX_PARTITIONS, Integer.toString(PARTITIONS)));
        writer = stack.writerUrl();
        colos = stack.urls().entrySet().stream().filter(e -> e.getKey().startsWith("lookup-api")).map(Map.Entry::getValue).toList();
        assertThat(colos).hasSize(3);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /** The local stack generated tokens at first start; writes need the writer's. */
    private static String[] writerAuth() {
        return new String[] {"Authorization", "Bearer " + stack.credentials().orElseThrow().writerToken()};
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    private static String body(String tier) {
        return "{\"coloHint\":\"SJC\",\"metadata\":{\"tier\":\"" + tier + "\",\"features\":[],\"maxConnections\":100,\"region\":\"us\"}}";
    }

    @Test
    void shouldReplicateRegisterUpdateAndDeleteToEveryColo() throws Exception {
        String id = SharedKafka.uniqueName("walk");
        HttpResponse<String> created = Http.putJson(writer + "/tenants/" + id, body("pro"), writerAuth());
        assertThat(created.statusCode()).isEqualTo(201);
        for (Map.Entry<String, String> colo : stack.coloUrls().entrySet()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> Http.get(colo.getValue() + "/tenants/" + id).statusCode() == 200);
            HttpResponse<String> r = Http.get(colo.getValue() + "/tenants/" + id);
            assertThat(json(r).get("version").asLong()).isEqualTo(1);
            assertThat(json(r).get("doId").asText()).isEqualTo(json(created).get("doId").asText());
            assertThat(r.headers().firstValue("X-Colo")).hasValue(colo.getKey());
            assertThat(r.headers().firstValue("ETag")).hasValue("\"1\"");
        }

        HttpResponse<String> updated = Http.putJson(writer + "/tenants/" + id, body("enterprise"), writerAuth());
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(updated.headers().firstValue("ETag")).hasValue("\"2\"");
        for (Map.Entry<String, String> colo : stack.coloUrls().entrySet()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> json(Http.get(colo.getValue() + "/tenants/" + id)).path("version").asLong() == 2);
            HttpResponse<String> r = Http.get(colo.getValue() + "/tenants/" + id);
            assertThat(json(r).at("/metadata/tier").asText()).isEqualTo("enterprise");
            assertThat(r.headers().firstValue("ETag")).as("in %s", colo.getKey()).hasValue("\"2\"");
            assertThat(r.headers().firstValue("X-Colo")).hasValue(colo.getKey());
        }

        assertThat(Http.delete(writer + "/tenants/" + id, writerAuth()).statusCode()).isEqualTo(204);
        for (String colo : colos) {
            await().atMost(Duration.ofSeconds(20)).until(() -> Http.get(colo + "/tenants/" + id).statusCode() == 404);
            assertThat(json(Http.get(colo + "/tenants/" + id)).get("error").asText()).isEqualTo("TENANT_NOT_FOUND");
        }
    }

    @Test
    void shouldShowAWriteOnTheChangeFeedOfEveryColoWithItsToken() throws Exception {
        Map<String, SseReader> streams = new HashMap<>();
        Map<String, String> since = new HashMap<>();
        try {
            for (Map.Entry<String, String> colo : stack.coloUrls().entrySet()) {
                SseReader sse = SseReader.open(colo.getValue() + "/changes");
                streams.put(colo.getKey(), sse);
                await().atMost(Duration.ofSeconds(20)).until(() -> !sse.ofType("snapshot-end").isEmpty());
                List<String> poll = Http.get(colo.getValue() + "/changes").body().lines().toList();
                since.put(colo.getKey(), Json.MAPPER.readTree(poll.get(poll.size() - 1)).get("token").asText());
            }
            String id = SharedKafka.uniqueName("feed");
            HttpResponse<String> created = Http.putJson(writer + "/tenants/" + id, body("pro"), writerAuth());
            assertThat(created.statusCode()).isEqualTo(201);
            ConsistencyToken written = ConsistencyToken.decode(created.headers().firstValue("X-Consistency-Token").orElseThrow(),
                    indexTopic, PARTITIONS);

            for (Map.Entry<String, String> colo : stack.coloUrls().entrySet()) {
                SseReader sse = streams.get(colo.getKey());
                await().atMost(Duration.ofSeconds(20)).until(() -> sse.ofType("upsert").stream()
                        .anyMatch(e -> e.data().get("tenantId").asText().equals(id)));
                SseReader.Event event = sse.ofType("upsert").stream()
                        .filter(e -> e.data().get("tenantId").asText().equals(id)).findFirst().orElseThrow();
                assertThat(event.data().get("version").asLong()).isEqualTo(1);
                assertThat(event.id()).isEqualTo(event.data().get("token").asText());
                assertCovers(event.id(), written, colo.getKey() + " over SSE");

                HttpResponse<String> poll = Http.get(colo.getValue() + "/changes?since=" + since.get(colo.getKey()) + "&wait=10000");
                assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
                JsonNode change = Json.MAPPER.readTree(poll.body().lines()
                        .filter(line -> line.contains("\"" + id + "\"")).findFirst().orElseThrow());
                assertThat(change.get("type").asText()).isEqualTo("upsert");
                assertCovers(change.get("token").asText(), written, colo.getKey() + " over long-poll");
            }
        } finally {
            streams.values().forEach(SseReader::close);
        }
    }

    /** The feed's token is at the written record's offset in its partition. */
    private static void assertCovers(String feedToken, ConsistencyToken written, String where) {
        ConsistencyToken token = ConsistencyToken.decode(feedToken, indexTopic, PARTITIONS);
        written.offsets().forEach((partition, offset) -> assertThat(token.offsets().get(partition)).as(where).isEqualTo(offset));
    }

    @Test
    void shouldAnswerATokenedLookupInEveryColoWithTheWriteItFollows() throws Exception {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 1_000; i++) {
            // A few tenants written over and over, so a stale read would show an older version.
            String id = "ryw-" + (i % 10);
            HttpResponse<String> w = Http.putJson(writer + "/tenants/" + id, body(i % 2 == 0 ? "free" : "pro"), writerAuth());
            assertThat(w.statusCode()).isIn(200, 201);
            long version = json(w).get("version").asLong();
            String token = w.headers().firstValue("X-Consistency-Token").orElseThrow();
            String colo = colos.get(random.nextInt(colos.size()));
            // A generous bound: CI machines are shared; the default 1 s wait answers 503 + Retry-After instead.
            HttpResponse<String> r = Http.get(colo + "/tenants/" + id + "?wait=5s", "X-Consistency-Token", token);
            assertThat(r.statusCode()).as("tokened read in %s", colo).isEqualTo(200);
            assertThat(json(r).get("version").asLong()).as("read-your-write %d in %s", i, colo).isEqualTo(version);
        }
    }

    @Test
    void shouldListEveryColoReplicaWithItsLagAtTheWriter() throws Exception {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode replicas = json(Http.get(writer + "/replicas")).get("replicas");
            assertThat(replicas).extracting(r -> r.get("colo").asText()).contains("ORD", "SIN", "AMS");
            replicas.forEach(r -> assertThat(r.get("lag").isNumber()).isTrue());
        });
    }

    @Test
    void shouldCountLookupsInTheUsageSink() throws Exception {
        String id = SharedKafka.uniqueName("usage");
        HttpResponse<String> w = Http.putJson(writer + "/tenants/" + id, body("pro"), writerAuth());
        String token = w.headers().firstValue("X-Consistency-Token").orElseThrow();
        for (String colo : colos) {
            assertThat(Http.get(colo + "/tenants/" + id, "X-Consistency-Token", token).statusCode()).isEqualTo(200);
        }
        String sink = stack.urls().get("usage-log-sink");
        await().atMost(Duration.ofSeconds(30)).until(() -> json(Http.get(sink + "/usage/" + id)).at("/total/hits").asLong() == 3);
    }

    private static int cli(String... args) {
        String coloSpec = stack.colos().entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue().port()).collect(java.util.stream.Collectors.joining(","));
        String[] full = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
                "--writer-url", writer, "--colos", coloSpec, "--sink-url", stack.urls().get("usage-log-sink"),
                "--auth-token", stack.credentials().orElseThrow().adminToken())).toArray(String[]::new);
        return new picocli.CommandLine(new TenantIndexCli()).execute(full);
    }

    @Test
    void shouldGiveScriptsReliableExitCodesFromTheCli() throws Exception {
        String id = SharedKafka.uniqueName("cli");
        assertThat(cli("register", id, "--tier", "pro", "--colo-hint", "SIN", "--feature", "kv")).isZero();
        assertThat(cli("register", id, "--tier", "gold")).isEqualTo(TenantIndexCli.REJECTED);
        assertThat(cli("register", id, "--tier", "pro", "--create-only")).isEqualTo(TenantIndexCli.REJECTED);
        await().atMost(Duration.ofSeconds(20)).until(() -> cli("lookup", id, "--colo", "SIN") == 0);
        assertThat(cli("lookup", "nobody-" + id, "--colo", "AMS")).isEqualTo(TenantIndexCli.REJECTED);
        assertThat(cli("lookup", id, "--colo", "writer")).isZero();
        assertThat(cli("usage", id)).isZero();
        assertThat(cli("usage", id, "--events", "--limit", "5")).isZero();
        assertThat(cli("usage", id, "--granularity", "fortnight")).isEqualTo(TenantIndexCli.REJECTED);
        assertThat(cli("delete", id)).isZero();
        assertThat(cli("delete", id)).isEqualTo(TenantIndexCli.REJECTED);
        assertThat(cli("lookup")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> cli("verify") == 0);
        assertThat(cli("rebuild", "--colo", "AMS")).isZero();
        assertThat(cli("verify")).isZero();
        assertThat(cli("rebuild", "--colo", "XYZ")).isEqualTo(2);

        Path ndjson = Files.createTempFile(SharedKafka.tempDir("cli-import"), "tenants", ".ndjson");
        Files.writeString(ndjson, "{\"tenantId\":\"" + id + "-i1\",\"metadata\":{\"tier\":\"free\"}}\n"
                + "{\"tenantId\":\"" + id + "-i2\",\"metadata\":{\"tier\":\"pro\"}}\n");
        assertThat(cli("import", ndjson.toString())).isZero();
        assertThat(Http.get(writer + "/tenants/" + id + "-i2").statusCode()).isEqualTo(200);
        // An import sent somewhere that answers with an error (here a colo) fails; it is not "written 0".
        assertThat(new picocli.CommandLine(new TenantIndexCli()).execute("import", ndjson.toString(), "--writer-url", colos.get(0),
                "--auth-token", stack.credentials().orElseThrow().adminToken())).isEqualTo(TenantIndexCli.REJECTED);
    }

    @Test
    void shouldGenerateOwnerOnlyTokensAtFirstStartAndRefuseWritesWithoutThem() throws Exception {
        Credentials credentials = stack.credentials().orElseThrow();
        java.nio.file.Path writerFile = credentials.directory().resolve(Credentials.WRITER_FILE);
        assertThat(java.nio.file.Files.readString(writerFile).trim()).isEqualTo(credentials.writerToken()).hasSizeGreaterThan(40);
        assertThat(java.nio.file.Files.getPosixFilePermissions(writerFile))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(credentials.adminToken()).isNotEqualTo(credentials.writerToken());
        HttpResponse<String> anonymous = Http.putJson(writer + "/tenants/" + SharedKafka.uniqueName("anon"), body("pro"));
        assertThat(anonymous.statusCode()).isEqualTo(401);
        String colo = colos.get(0);
        assertThat(Http.postJson(colo + "/admin/rebuild", "", writerAuth()).statusCode()).as("rebuild needs the admin token").isEqualTo(403);
    }
}
