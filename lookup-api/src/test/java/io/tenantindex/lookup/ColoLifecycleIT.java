package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.IndexDigest;
import io.tenantindex.common.Json;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A colo on the real broker: register / update / deregister over HTTP, paging, digest, restarts. */
class ColoLifecycleIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ColoFixture kafka = new ColoFixture();
    private final List<ColoServer> colos = new ArrayList<>();

    @AfterEach
    void tearDown() {
        colos.forEach(ColoServer::close);
        kafka.close();
    }

    @Test
    void shouldServeRegistrationsUpdatesAndDeregistrationsOverHttp() throws Exception {
        kafka.write(List.of(registration("acme", 1), registration("globex", 1)));
        ColoServer colo = start("ORD", SharedKafka.tempDir("colo-"));
        await().atMost(TIMEOUT).until(colo::isReady);
        String base = "http://127.0.0.1:" + colo.port();

        HttpResponse<String> r = Http.get(base + "/tenants/acme");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(r.headers().firstValue("X-Colo")).contains("ORD");
        assertThat(Json.MAPPER.readTree(r.body()).path("metadata").path("tier").asText()).isEqualTo("enterprise");

        kafka.write(registration("acme", 2));
        await().atMost(TIMEOUT).until(() -> Http.get(base + "/tenants/acme").headers().firstValue("ETag").orElse(""),
                etag -> etag.equals("\"2\""));

        kafka.delete("acme");
        await().atMost(TIMEOUT).until(() -> Http.get(base + "/tenants/acme").statusCode() == 404);
        assertThat(Http.get(base + "/tenants/globex").statusCode()).isEqualTo(200);

        JsonNode stats = Json.MAPPER.readTree(Http.get(base + "/stats").body());
        assertThat(stats.path("status").asText()).isEqualTo("ready");
        assertThat(stats.path("hits").asLong()).isPositive();
        assertThat(stats.path("misses").asLong()).isPositive();
        assertThat(Http.get(base + "/health/ready").statusCode()).isEqualTo(200);
        String metrics = Http.get(base + "/metrics").body();
        assertThat(metrics).contains("tenant_index_lookups_total{colo=\"ORD\",outcome=\"hit\"")
                .contains("tenant_index_replica_ready{colo=\"ORD\"").contains("kafka_stream");
        // The histogram resolves microseconds: buckets below 1 ms, where lookups are.
        assertThat(metrics.lines().filter(l -> l.startsWith("tenant_index_lookup_latency_seconds_bucket{"))
                .map(l -> l.replaceAll(".*le=\"([^\"]+)\".*", "$1")).filter(le -> !le.equals("+Inf"))
                .mapToDouble(Double::parseDouble).min().orElseThrow()).isLessThan(1e-5);
    }

    @Test
    void shouldPageInKeyOrderAcrossPartitionsAndDigestWhatItHolds() throws Exception {
        List<TenantRegistration> regs = IntStream.range(0, 57).mapToObj(i -> registration(String.format("t%03d", i), 1 + i % 3)).toList();
        List<ConsistencyToken> tokens = kafka.write(regs);
        ColoServer colo = start("SIN", SharedKafka.tempDir("colo-"));
        await().atMost(TIMEOUT).until(colo::isReady);
        String base = "http://127.0.0.1:" + colo.port();

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = Json.MAPPER.readTree(Http.get(base + "/tenants?limit=10" + (cursor == null ? "" : "&after=" + cursor)).body());
            page.path("items").forEach(n -> seen.add(n.path("tenantId").asText()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(regs.stream().map(TenantRegistration::getTenantId).sorted().toList());

        IndexDigest expected = new IndexDigest(ColoFixture.PARTITIONS);
        kafka.addWritten(expected, regs, tokens);
        JsonNode digest = Json.MAPPER.readTree(Http.get(base + "/digest").body());
        assertThat(digest.path("digest").asText()).isEqualTo(expected.totalHash());
        assertThat(digest.path("entries").asLong()).isEqualTo(57);
        for (int p = 0; p < ColoFixture.PARTITIONS; p++) {
            assertThat(digest.path("partitions").path(Integer.toString(p)).path("hash").asText()).isEqualTo(expected.partitionHash(p));
        }
    }

    @Test
    void shouldServeAtOnceFromLocalStateAfterAWarmRestart() {
        List<TenantRegistration> regs = IntStream.range(0, 2000).mapToObj(i -> registration("warm-" + i, 1)).toList();
        kafka.write(regs);
        Path state = SharedKafka.tempDir("colo-");
        ColoServer first = start("AMS", state);
        await().atMost(TIMEOUT).until(first::isReady);
        assertThat(first.reReadRecords()).isEqualTo(2000);
        first.close();
        colos.remove(first);

        kafka.write(registration("warm-new", 1));
        long started = System.nanoTime();
        ColoServer second = start("AMS", state);
        await().atMost(TIMEOUT).until(second::isReady);
        long readyMs = (System.nanoTime() - started) / 1_000_000;
        String base = "http://127.0.0.1:" + second.port();
        assertThat(Http.get(base + "/tenants/warm-1999").statusCode()).isEqualTo(200);
        assertThat(Http.get(base + "/tenants/warm-new").statusCode()).isEqualTo(200);
        // Only what it missed: the one new record (no restore, no replay of the 2,000).
        assertThat(second.reReadRecords()).isLessThan(20);
        System.out.printf("warm restart: ready in %d ms, %d records re-read of %d%n", readyMs, second.reReadRecords(), regs.size() + 1);
    }

    @Test
    void shouldHonourOldTokensAfterTheStoreWasRebuiltFromTheTopic() {
        ConsistencyToken token = kafka.write(registration("phoenix", 4));
        kafka.write(IntStream.range(0, 50).mapToObj(i -> registration("filler-" + i, 1)).toList());
        Path state = SharedKafka.tempDir("colo-");
        ColoServer first = start("FRA", state);
        await().atMost(TIMEOUT).until(first::isReady);
        first.close();
        colos.remove(first);
        ColoFixture.deleteRecursively(state);

        // The rebuilt store has an empty IQv2 position: the bound alone would never be met.
        ColoServer second = start("FRA", state);
        await().atMost(TIMEOUT).until(second::isReady);
        assertThat(second.reReadRecords()).isGreaterThanOrEqualTo(51);
        HttpResponse<String> r = Http.get("http://127.0.0.1:" + second.port() + "/tenants/phoenix?wait=5s",
                "X-Consistency-Token", token.encode());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("ETag")).contains("\"4\"");
    }

    private ColoServer start(String colo, Path state) {
        ColoServer server = kafka.startColo(colo, state);
        colos.add(server);
        return server;
    }
}
