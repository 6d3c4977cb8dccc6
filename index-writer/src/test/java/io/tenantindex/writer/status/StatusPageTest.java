package io.tenantindex.writer.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.tenantindex.common.Json;
import io.tenantindex.common.api.WriterHealth;
import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.http.HttpServers;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.Tier;
import io.tenantindex.testing.Http;
import io.tenantindex.writer.WriteResult;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The status page's aggregation against fake colos on real loopback HTTP: a healthy colo, one that
 * refuses connections and one that never answers. No broker needed.
 */
class StatusPageTest {
    private final List<Javalin> servers = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

    @AfterEach
    void stop() {
        servers.forEach(Javalin::stop);
    }

    /** A fake lookup-api whose GET /stats answers whatever {@code stats} holds at the time. */
    private String fakeColo(Map<String, Object> stats) {
        Javalin app = Javalin.create(c -> c.routes.get("/stats", ctx -> ctx.json(stats))).start("127.0.0.1", 0);
        servers.add(app);
        return "http://127.0.0.1:" + app.port();
    }

    /** A colo that accepts the request and never answers. */
    private String hangingColo() {
        Javalin app = Javalin.create(c -> c.routes.get("/stats", ctx -> ctx.future(CompletableFuture::new))).start("127.0.0.1", 0);
        servers.add(app);
        return "http://127.0.0.1:" + app.port();
    }

    private static String closedPortUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    private static Map<String, Object> stats(String colo, long hits, long misses, long lag, Map<String, Long> position) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("colo", colo);
        s.put("status", "running");
        s.put("ready", true);
        s.put("entries", 42);
        s.put("hits", hits);
        s.put("misses", misses);
        s.put("hitRatio", hits + misses == 0 ? 0.0 : (double) hits / (hits + misses));
        s.put("notReady", 0);
        s.put("errors", 0);
        s.put("position", position);
        s.put("lag", lag);
        s.put("stalenessMs", 120);
        s.put("lastAppliedAt", "2024-01-01T00:00:00Z");
        return s;
    }

    private static WriteResult write(String tenantId, long version, boolean created, int partition, long offset) {
        TenantRegistration entry = TenantRegistration.newBuilder().setTenantId(tenantId).setDoId("ab")
                .setColoHint("SJC").setVersion(version).setRegisteredAt(1).setUpdatedAt(2)
                .setMetadata(TenantMetadata.newBuilder().setTier(Tier.pro).setFeatures(List.of()).build()).build();
        return new WriteResult(entry, version, created, ConsistencyToken.of("tenant-index", 6, partition, offset));
    }

    private StatusPage page(Map<String, String> colos, Duration timeout) {
        return new StatusPage(new StatusConfig(colos, timeout, 3),
                () -> new WriterHealth("UP", true, "w", "t", 0, null, new WriterHealth.Writes(0, 0, 0, 0), "ACTIVE", null), clock::get);
    }

    private static JsonNode json(Object value) {
        return Json.MAPPER.valueToTree(value);
    }

    @Test
    void shouldShowEveryColoWithItsStatsAndADownColoAsDownWithinTheTimeout() throws Exception {
        Map<String, Object> ord = new LinkedHashMap<>(stats("ORD", 9, 1, 0, Map.of("0", 10L)));
        Map<String, String> colos = new LinkedHashMap<>();
        colos.put("ORD", fakeColo(ord));
        colos.put("SIN", closedPortUrl());
        colos.put("AMS", hangingColo());
        StatusPage page = page(colos, Duration.ofMillis(700));

        long started = System.nanoTime();
        JsonNode s = json(page.snapshot());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

        assertThat(s.path("writer").path("status").asText()).isEqualTo("UP");
        assertThat(s.path("colos")).extracting(c -> c.path("colo").asText()).containsExactly("ORD", "SIN", "AMS");
        JsonNode o = s.path("colos").get(0);
        assertThat(o.path("up").asBoolean()).isTrue();
        assertThat(o.path("ready").asBoolean()).isTrue();
        assertThat(o.path("lag").asLong()).isZero();
        assertThat(o.path("stalenessMs").asLong()).isEqualTo(120);
        assertThat(o.path("hitRatio").asDouble()).isEqualTo(0.9);
        assertThat(o.path("lookupsPerSecond").isNull()).as("no rate before a second sample").isTrue();
        assertThat(o.path("lagHistory")).hasSize(1);

        JsonNode sin = s.path("colos").get(1);
        assertThat(sin.path("up").asBoolean()).isFalse();
        assertThat(sin.path("status").asText()).isEqualTo("down");
        assertThat(sin.path("error").asText()).isNotBlank();
        JsonNode ams = s.path("colos").get(2);
        assertThat(ams.path("up").asBoolean()).isFalse();
        assertThat(ams.path("error").asText()).contains("700 ms");
    }

    @Test
    void shouldComputeLookupsPerSecondAndKeepALagHistoryAcrossPolls() {
        Map<String, Object> ord = new java.util.concurrent.ConcurrentHashMap<>(stats("ORD", 100, 0, 5, Map.of()));
        StatusPage page = page(Map.of("ORD", fakeColo(ord)), Duration.ofSeconds(2));
        page.snapshot();
        ord.put("hits", 300L);
        ord.put("lag", 2L);
        clock.addAndGet(100);
        assertThat(json(page.snapshot()).at("/colos/0/lagHistory")).as("polls are shared for 500 ms").hasSize(1);
        clock.addAndGet(1_900);
        JsonNode o = json(page.snapshot()).at("/colos/0");
        assertThat(o.path("lookupsPerSecond").asDouble()).isEqualTo(100.0);
        assertThat(o.path("lagHistory")).extracting(JsonNode::asLong).containsExactly(5L, 2L);
        for (int i = 0; i < ColoPoller.HISTORY + 5; i++) {
            clock.addAndGet(1_000);
            page.snapshot();
        }
        assertThat(json(page.snapshot()).at("/colos/0/lagHistory")).hasSize(ColoPoller.HISTORY);
    }

    @Test
    void shouldListTheLastCommittedWritesWithWhereEachColoHasAppliedThem() throws Exception {
        Map<String, String> colos = new LinkedHashMap<>();
        colos.put("ORD", fakeColo(stats("ORD", 0, 0, 0, Map.of("1", 8L))));
        colos.put("SIN", fakeColo(stats("SIN", 0, 0, 1, Map.of("1", 6L))));
        colos.put("AMS", closedPortUrl());
        StatusPage page = page(colos, Duration.ofMillis(500));
        page.changes().record("acme", write("acme", 1, true, 1, 6));
        page.changes().record("acme", write("acme", 2, false, 1, 8));
        page.changes().record("globex", new WriteResult(null, 3, false, ConsistencyToken.of("tenant-index", 6, 0, 4)));
        page.changes().record("initech", write("initech", 1, true, 1, 10));

        JsonNode changes = json(page.snapshot()).path("changes");
        assertThat(changes).as("bounded to the last 3, newest first")
                .extracting(c -> c.path("tenantId").asText() + "@" + c.path("version").asLong() + ":" + c.path("op").asText())
                .containsExactly("initech@1:created", "globex@3:deleted", "acme@2:updated");
        JsonNode acme = changes.get(2);
        assertThat(acme.path("appliedIn").path("ORD").asBoolean()).isTrue();
        assertThat(acme.path("appliedIn").path("SIN").asBoolean()).as("SIN is at offset 6 < 8").isFalse();
        assertThat(acme.path("appliedIn").path("AMS").isNull()).as("AMS is down: unknown").isTrue();
        assertThat(changes.get(1).path("appliedIn").path("ORD").asBoolean()).as("no position on partition 0").isFalse();
        assertThat(acme.path("tier").asText()).isEqualTo("pro");
        assertThat(acme.path("coloHint").asText()).isEqualTo("SJC");
    }

    @Test
    void shouldServeThePageAndItsAssetsFromTheJar() {
        StatusPage page = page(Map.of(), Duration.ofSeconds(1));
        Javalin app = HttpServers.create(HttpServers.DEFAULT_MAX_BODY_BYTES, page::register).start("127.0.0.1", 0);
        servers.add(app);
        String base = "http://127.0.0.1:" + app.port();
        HttpResponse<String> html = Http.get(base + "/status");
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(html.body()).contains("/status/status.js", "/status/status.css").doesNotContain("https://");
        assertThat(Http.get(base + "/status/status.js").body()).contains("/status.json");
        assertThat(Http.get(base + "/status/status.css").statusCode()).isEqualTo(200);
        HttpResponse<String> json = Http.get(base + "/status.json");
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.body()).contains("\"colos\":[]", "\"changes\":[]");
    }

    @Test
    void shouldParseColoUrlsInOrderAndRejectMalformedOnes() {
        StatusConfig c = StatusConfig.from(Settings.of(Map.of(ConfigKeys.WRITER_COLO_URLS,
                "ord=http://10.0.0.1:8081/, SIN=https://sin.example:443,AMS=http://ams:8083")));
        assertThat(c.coloUrls()).containsExactly(Map.entry("ORD", "http://10.0.0.1:8081"),
                Map.entry("SIN", "https://sin.example:443"), Map.entry("AMS", "http://ams:8083"));
        assertThat(StatusConfig.from(Settings.empty()).coloUrls()).isEmpty();
        assertThatThrownBy(() -> StatusConfig.parseColoUrls("ORD:8081"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("TENANT_INDEX_WRITER_COLO_URLS");
        assertThatThrownBy(() -> StatusConfig.parseColoUrls("ORD=ftp://x"))
                .isInstanceOf(ConfigException.class);
    }
}
