package io.tenantindex.lookup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tenantindex.common.IndexDigest;
import io.tenantindex.common.Json;
import io.tenantindex.common.TenantIds;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.feed.ChangeFeed;
import io.tenantindex.common.feed.ChangeRing;
import io.tenantindex.common.feed.TopicHistory;
import io.tenantindex.common.http.HttpServers;
import io.tenantindex.common.metrics.ServiceMetrics;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.protocol.ApiHeaders;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.protocol.VersionedCodec;
import io.tenantindex.schemas.LookupOutcome;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.Tier;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.OpenApiRoutes;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LookupRoutesTest {
    private static final String TOPIC = "tenant-index";
    private static final String ADMIN_TOKEN = "admin-token-0123456789";

    private final FakeReplica replica = new FakeReplica();
    private final List<String> usage = new CopyOnWriteArrayList<>();
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Javalin app;
    private ChangeFeed feed;
    private String base;

    @BeforeEach
    void start() {
        startWith(false);
    }

    private void startWith(boolean serveStale) {
        if (app != null) {
            app.stop();
        }
        UsageRecorder recorder = new UsageRecorder() {
            @Override
            public void record(String tenantId, LookupOutcome outcome, long latencyMicros, String requestId) {
                usage.add(tenantId + ":" + outcome);
            }

            @Override
            public long emitted() {
                return usage.size();
            }

            @Override
            public long dropped() {
                return 7;
            }

            @Override
            public long failed() {
                return 0;
            }

            @Override
            public void close(Duration within) {
            }
        };
        ColoConfig config = ColoConfig.from(Settings.of(Map.of(ConfigKeys.COLO, "TST", ConfigKeys.INDEX_TOPIC, TOPIC,
                ConfigKeys.READ_WAIT_MS, "1000", ConfigKeys.READ_MAX_WAIT_MS, "5000",
                ConfigKeys.SERVE_STALE_WHILE_RESTORING, Boolean.toString(serveStale),
                ConfigKeys.WRITER_TOKEN, "writer-token-0123456789", ConfigKeys.ADMIN_TOKEN, ADMIN_TOKEN)));
        LookupRoutes routes = new LookupRoutes(replica, replica, recorder, config, metrics);
        ChangeRing changes = new ChangeRing(FakeReplica.PARTITIONS, 16);
        // No broker here: the history is never read, every position is in the ring.
        feed = new ChangeFeed(new ColoFeedSource(replica, TOPIC), changes, new TopicHistory(
                config.materializer().kafka().clientProperties(), TOPIC, r -> null, () -> 0, System::currentTimeMillis), config.feed(), metrics);
        IntStream.range(0, FakeReplica.PARTITIONS).forEach(p -> changes.served(p, -1));
        // As ColoServer serves them: the lookup routes, the change feed and /metrics.
        app = HttpServers.create(HttpServers.DEFAULT_MAX_BODY_BYTES, c -> {
            routes.register(c);
            feed.register(c);
            ServiceMetrics.route(c, metrics);
        }).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
    }

    @AfterEach
    void stop() {
        feed.close();
        app.stop();
    }

    @Test
    void shouldMakeDistinctVersion4RequestIds() {
        List<UUID> ids = IntStream.range(0, 1000).mapToObj(i -> UUID.fromString(LookupRoutes.newRequestId())).toList();
        assertThat(ids).doesNotHaveDuplicates().allSatisfy(id -> {
            assertThat(id.version()).isEqualTo(4);
            assertThat(id.variant()).isEqualTo(2);
        });
    }

    @Test
    void shouldReturnTheEntryWithWhereTheReplicaStands() throws Exception {
        replica.entries.put("acme", registration("acme", 3));
        HttpResponse<String> r = Http.get(base + "/tenants/acme");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.path("tenantId").asText()).isEqualTo("acme");
        assertThat(body.path("doId").asText()).isEqualTo(TenantIds.doIdFor("acme"));
        assertThat(body.path("version").asLong()).isEqualTo(3);
        assertThat(body.path("coloHint").asText()).isEqualTo("SJC");
        assertThat(body.path("metadata").path("tier").asText()).isEqualTo("enterprise");
        assertThat(body.path("metadata").path("features").get(0).asText()).isEqualTo("ws");
        assertThat(body.path("metadata").path("maxConnections").asInt()).isEqualTo(50);
        assertThat(body.path("metadata").path("region").asText()).isEqualTo("eu");
        assertThat(body.path("registeredAt").asLong()).isEqualTo(1000);
        assertThat(body.path("updatedAt").asLong()).isEqualTo(1003);
        assertThat(r.headers().firstValue("ETag")).contains("\"3\"");
        assertThat(r.headers().firstValue("X-Colo")).contains("TST");
        assertThat(r.headers().firstValue("X-Replica-Lag")).contains("0");
        assertThat(r.headers().firstValue("X-Replica-Staleness-Ms")).contains("12");
        assertThat(Long.parseLong(r.headers().firstValue("X-Index-Lookup-Micros").orElseThrow())).isNotNegative();
        assertThat(r.headers().firstValue("X-Replica-Stale")).isEmpty();
        // The plain lookup's handler adds its headers rather than putting them: each is there once.
        for (String name : List.of("ETag", "Content-Type", "Content-Length", "X-Colo", "X-Replica-Lag", "X-Replica-Staleness-Ms",
                "X-Index-Lookup-Micros")) {
            assertThat(r.headers().allValues(name)).as(name).hasSize(1);
        }
        assertThat(usage).containsExactly("acme:hit");
    }

    @Test
    void shouldAskTheReplicaWhereItStandsOncePerLookup() {
        replica.entries.put("acme", registration("acme", 3));
        String token = ConsistencyToken.of(TOPIC, FakeReplica.PARTITIONS, 0, 0).encode();
        replica.stateReads.set(0);
        assertThat(Http.get(base + "/tenants/acme").statusCode()).isEqualTo(200);
        assertThat(replica.stateReads).hasValue(1);
        replica.stateReads.set(0);
        assertThat(Http.get(base + "/tenants/acme", ApiHeaders.CONSISTENCY_TOKEN, token).statusCode()).isEqualTo(200);
        assertThat(replica.stateReads).hasValue(1);
    }

    @Test
    void shouldAnswerAHitAsJsonWithItsLengthAnd304ForItsETagAndHeadWithoutABody() {
        replica.entries.put("acme", registration("acme", 3));
        HttpResponse<String> r = Http.get(base + "/tenants/acme");
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(r.headers().firstValue("Content-Length")).contains(Integer.toString(r.body().length()));

        HttpResponse<String> unchanged = Http.get(base + "/tenants/acme", "If-None-Match", "W/\"3\"");
        assertThat(unchanged.statusCode()).isEqualTo(304);
        assertThat(unchanged.headers().firstValue("ETag")).contains("\"3\"");
        assertThat(unchanged.body()).isEmpty();
        assertThat(Http.get(base + "/tenants/acme", "If-None-Match", "\"2\"").body()).isEqualTo(r.body());

        HttpResponse<String> head = Http.send(Http.builder(base + "/tenants/acme").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("ETag")).contains("\"3\"");
        assertThat(head.headers().firstValue("Content-Length")).contains(Integer.toString(r.body().length()));
        assertThat(head.body()).isEmpty();
    }

    @Test
    void shouldAnswer404JsonForUnknownTenantsAndCountHitsAndMisses() throws Exception {
        replica.entries.put("acme", registration("acme", 1));
        HttpResponse<String> r = Http.get(base + "/tenants/nobody");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).isEqualTo("TENANT_NOT_FOUND");
        assertThat(r.headers().firstValue("X-Colo")).contains("TST");
        Http.get(base + "/tenants/acme");
        Http.get(base + "/tenants/acme");
        Http.get(base + "/tenants/acme");

        JsonNode stats = Json.MAPPER.readTree(Http.get(base + "/stats").body());
        assertThat(stats.path("colo").asText()).isEqualTo("TST");
        assertThat(stats.path("hits").asLong()).isEqualTo(3);
        assertThat(stats.path("misses").asLong()).isEqualTo(1);
        assertThat(stats.path("hitRatio").asDouble()).isEqualTo(0.75);
        assertThat(stats.path("entries").asLong()).isEqualTo(1);
        assertThat(stats.path("position").path("0").asLong()).isEqualTo(41);
        assertThat(stats.path("lag").asLong()).isZero();
        assertThat(stats.path("lastAppliedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(usage).containsExactly("nobody:miss", "acme:hit", "acme:hit", "acme:hit");
        assertThat(metrics.get("tenant_index_lookups").tag("outcome", "hit").functionCounter().count()).isEqualTo(3);
        assertThat(metrics.get("tenant_index_lookup_latency").timer().count()).isEqualTo(4);
    }

    @Test
    void shouldRejectInvalidTenantIdsWith400() throws Exception {
        for (String bad : List.of("-leading-dash", "has%20space", "x".repeat(129))) {
            HttpResponse<String> r = Http.get(base + "/tenants/" + bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).isEqualTo("INVALID_TENANT_ID");
        }
        assertThat(usage).isEmpty();
    }

    @Test
    void shouldAnswer503WithRetryAfterWhileRestoring() throws Exception {
        replica.entries.put("acme", registration("acme", 1));
        replica.restoring();
        HttpResponse<String> r = Http.get(base + "/tenants/acme");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
        assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).isEqualTo("NOT_READY");
        assertThat(usage).containsExactly("acme:not_ready");

        HttpResponse<String> ready = Http.get(base + "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.headers().firstValue("Retry-After")).contains("1");
        HttpResponse<String> health = Http.get(base + "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(health.body());
        assertThat(body.path("status").asText()).isEqualTo("restoring");
        assertThat(body.path("progress").path("percent").asDouble()).isEqualTo(100.0);
        assertThat(Http.get(base + "/tenants").statusCode()).isEqualTo(503);
    }

    @Test
    void shouldServeStaleWhileRestoringWhenAskedToAndSaySo() {
        startWith(true);
        replica.entries.put("acme", registration("acme", 1));
        replica.restoring();
        HttpResponse<String> r = Http.get(base + "/tenants/acme");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Replica-Stale")).contains("true");
        assertThat(r.headers().firstValue("X-Replica-Lag")).contains("500");
    }

    @Test
    void shouldSayStaleWhenAReadyReplicaAnswersFromAStoreBehindWhatItAlreadyServed() {
        replica.entries.put("acme", registration("acme", 1));
        replica.behind = true;
        HttpResponse<String> plain = Http.get(base + "/tenants/acme");
        HttpResponse<String> tokened = Http.get(base + "/tenants/acme", ApiHeaders.CONSISTENCY_TOKEN,
                ConsistencyToken.of(TOPIC, FakeReplica.PARTITIONS, 0, 0).encode());
        for (HttpResponse<String> r : List.of(plain, tokened)) {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue(ApiHeaders.REPLICA_STALE)).contains("true");
        }
    }

    @Test
    void shouldKeepServingWhenDegradedAndSaySince() throws Exception {
        replica.entries.put("acme", registration("acme", 1));
        Instant since = Instant.parse("2026-02-03T04:05:06Z");
        replica.degrade(since);
        HttpResponse<String> r = Http.get(base + "/tenants/acme");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Replica-Degraded-Since")).contains(since.toString());
        JsonNode health = Json.MAPPER.readTree(Http.get(base + "/health").body());
        assertThat(health.path("status").asText()).isEqualTo("degraded");
        assertThat(health.path("degradedSince").asText()).isEqualTo(since.toString());
        assertThat(Http.get(base + "/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRejectMalformedAndForeignTokensWith400() throws Exception {
        String foreign = ConsistencyToken.of("other-topic", FakeReplica.PARTITIONS, 0, 5).encode();
        String otherCount = ConsistencyToken.of(TOPIC, FakeReplica.PARTITIONS + 1, 0, 5).encode();
        String foreignV1 = new VersionedCodec("v1", 3).encode("other-topic", 0, 5);
        for (String token : List.of("not*base64", "bm9wZQ", foreign, otherCount, foreignV1)) {
            HttpResponse<String> r = Http.get(base + "/tenants/acme", "X-Consistency-Token", token);
            assertThat(r.statusCode()).as(token).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).isEqualTo("INVALID_TOKEN");
        }
        HttpResponse<String> viaQuery = Http.get(base + "/tenants/acme?token=" + foreign);
        assertThat(viaQuery.statusCode()).isEqualTo(400);
    }

    @Test
    void shouldAnswerATokenedLookupOnlyOnceThePositionIsApplied() throws Exception {
        replica.tokenWait = new CompletableFuture<>();
        replica.restoring();
        ConsistencyToken session = new ConsistencyToken(TOPIC, FakeReplica.PARTITIONS, new TreeMap<>(Map.of(2, 77L, 5, 3L)));
        String token = session.encode();
        CompletableFuture<HttpResponse<String>> pending = CompletableFuture.supplyAsync(
                () -> Http.get(base + "/tenants/acme?token=" + token + "&wait=3s"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> replica.lastToken != null);
        assertThat(pending).isNotDone();
        replica.entries.put("acme", registration("acme", 7));
        replica.tokenWait.complete(null);
        HttpResponse<String> r = pending.get();
        // Exact once applied, so answered even though the replica as a whole is still restoring.
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("ETag")).contains("\"7\"");
        assertThat(replica.lastToken).isEqualTo(session);
        assertThat(replica.lastWait).isEqualTo(Duration.ofSeconds(3));
        assertThat(usage).containsExactly("acme:hit");
    }

    @Test
    void shouldAcceptAV1TokenAsAOneEntryVector() {
        String v1 = new VersionedCodec("v1", 3).encode(TOPIC, 4, 12);
        assertThat(Http.get(base + "/tenants/acme?token=" + v1).statusCode()).isEqualTo(404);
        assertThat(replica.lastToken).isEqualTo(ConsistencyToken.of(TOPIC, FakeReplica.PARTITIONS, 4, 12));
    }

    @Test
    void shouldAnswer503NotUpToBoundWhenTheWaitRunsOut() throws Exception {
        replica.tokenWait = CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException());
        String token = ConsistencyToken.of(TOPIC, FakeReplica.PARTITIONS, 0, 1).encode();
        HttpResponse<String> r = Http.get(base + "/tenants/acme", "X-Consistency-Token", token);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
        assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).isEqualTo("NOT_UP_TO_BOUND");
        assertThat(usage).containsExactly("acme:not_ready");
    }

    @Test
    void shouldDefaultCapAndValidateTheWait() {
        String token = ConsistencyToken.of(TOPIC, FakeReplica.PARTITIONS, 0, 1).encode();
        Http.get(base + "/tenants/acme?token=" + token);
        assertThat(replica.lastWait).isEqualTo(Duration.ofSeconds(1));
        Http.get(base + "/tenants/acme?token=" + token + "&wait=250ms");
        assertThat(replica.lastWait).isEqualTo(Duration.ofMillis(250));
        Http.get(base + "/tenants/acme?token=" + token + "&wait=60000");
        assertThat(replica.lastWait).isEqualTo(Duration.ofSeconds(5));
        assertThat(Http.get(base + "/tenants/acme?token=" + token + "&wait=-1").statusCode()).isEqualTo(400);
        assertThat(Http.get(base + "/tenants/acme?token=" + token + "&wait=soon").statusCode()).isEqualTo(400);
    }

    @Test
    void shouldPageThroughTheReplicaInKeyOrder() throws Exception {
        for (String id : List.of("d", "a", "c", "b", "e")) {
            replica.entries.put(id, registration(id, 1));
        }
        JsonNode first = Json.MAPPER.readTree(Http.get(base + "/tenants?limit=2").body());
        assertThat(first.path("items")).extracting(n -> n.path("tenantId").asText()).containsExactly("a", "b");
        assertThat(first.path("nextCursor").asText()).isEqualTo("b");
        JsonNode second = Json.MAPPER.readTree(Http.get(base + "/tenants?limit=3&after=b").body());
        assertThat(second.path("items")).extracting(n -> n.path("tenantId").asText()).containsExactly("c", "d", "e");
        assertThat(second.path("nextCursor").isNull()).isTrue();
        for (String bad : List.of("limit=0", "limit=1001", "limit=x", "after=-x")) {
            HttpResponse<String> r = Http.get(base + "/tenants?" + bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
        }
    }

    @Test
    void shouldExposeTheDigestInTheWritersShape() throws Exception {
        replica.entries.put("acme", registration("acme", 2));
        JsonNode d = Json.MAPPER.readTree(Http.get(base + "/digest").body());
        assertThat(d.path("colo").asText()).isEqualTo("TST");
        IndexDigest expected = new IndexDigest(1);
        expected.add(0, IndexDigest.entryHash("acme", FakeReplica.encoded(registration("acme", 2))));
        assertThat(d.path("digest").asText()).isEqualTo(expected.totalHash());
        assertThat(d.path("entries").asLong()).isEqualTo(1);
        assertThat(d.path("partitions").path("0").path("entries").asLong()).isEqualTo(1);
        assertThat(d.path("positions").path("0").asLong()).isEqualTo(41);
    }

    @Test
    void shouldStartARebuildAndReportItsProgress() throws Exception {
        assertThat(Http.get(base + "/admin/rebuild").statusCode()).isEqualTo(404);
        assertThat(Http.postJson(base + "/admin/rebuild", "").statusCode()).as("no token").isEqualTo(401);
        assertThat(Http.postJson(base + "/admin/rebuild", "", "Authorization", "Bearer writer-token-0123456789").statusCode())
                .as("writer token").isEqualTo(403);
        HttpResponse<String> started = Http.postJson(base + "/admin/rebuild", "", "Authorization", "Bearer " + ADMIN_TOKEN);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(Json.MAPPER.readTree(started.body()).path("percent").asDouble()).isEqualTo(25.0);
        JsonNode stats = Json.MAPPER.readTree(Http.get(base + "/stats").body());
        assertThat(stats.path("generation").asLong()).isEqualTo(1);
        assertThat(stats.path("rebuild").path("state").asText()).isEqualTo("running");
        assertThat(stats.path("rebuild").path("etaSeconds").asLong()).isEqualTo(1);
        assertThat(Json.MAPPER.readTree(Http.get(base + "/health").body()).path("rebuild").path("recordsApplied").asLong()).isEqualTo(10);
    }

    static TenantRegistration registration(String id, long version) {
        return TenantRegistration.newBuilder()
                .setTenantId(id).setDoId(TenantIds.doIdFor(id)).setColoHint("SJC").setVersion(version)
                .setRegisteredAt(1000).setUpdatedAt(1000 + version)
                .setMetadata(TenantMetadata.newBuilder().setTier(Tier.enterprise).setFeatures(List.of("ws"))
                        .setMaxConnections(50).setRegion("eu").build())
                .build();
    }

    @Test
    void shouldDocumentEveryRegisteredRouteInOpenApiJson() {
        HttpResponse<String> doc = Http.get(base + "/openapi.json");
        assertThat(doc.statusCode()).isEqualTo(200);
        Set<String> registered = OpenApiRoutes.registered(app);
        Set<String> documented = OpenApiRoutes.documented(doc.body());
        assertThat(registered).contains("GET /tenants/{tenantId}", "GET /openapi.json");
        assertThat(documented).as("documented routes").containsAll(registered);
        assertThat(registered).as("routes the server really has").containsAll(documented);

        Set<String> secured = OpenApiRoutes.secured(doc.body());
        assertThat(secured).containsExactly("POST /admin/rebuild");
        OpenApiRoutes.refusedWithoutToken(base, documented).forEach((operation, refused) ->
                assertThat(refused).as("%s answers 401 without a token", operation).isEqualTo(secured.contains(operation)));
    }

    @Test
    void shouldReportUsageEmissionInStatsAndMetrics() throws Exception {
        Http.get(base + "/tenants/nobody");
        JsonNode stats = Json.MAPPER.readTree(Http.get(base + "/stats").body());
        assertThat(stats.at("/usage/emitted").asLong()).isEqualTo(usage.size()).isPositive();
        assertThat(stats.at("/usage/dropped").asLong()).isEqualTo(7);
        assertThat(metrics.find("tenant_index_usage_events").tag("result", "dropped").functionCounter().count()).isEqualTo(7.0);
    }
}
