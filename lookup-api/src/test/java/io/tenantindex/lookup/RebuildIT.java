package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Blue/green rebuild on the real broker: no failed lookup while it runs, same content afterwards. */
class RebuildIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void shouldRebuildUnderLookupLoadWithoutAFailedLookupAndKeepTheDigest() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            kafka.write(IntStream.range(0, 500).mapToObj(i -> registration("rb-" + i, 1 + i % 4)).toList());
            Path state = SharedKafka.tempDir("colo-");
            ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
            String firstAppId;
            String digestBefore;
            try (ColoServer colo = kafka.startColo("ORD", state)) {
                await().atMost(TIMEOUT).until(colo::isReady);
                String base = "http://127.0.0.1:" + colo.port();
                firstAppId = colo.replica().applicationId();
                digestBefore = Json.MAPPER.readTree(Http.get(base + "/digest").body()).path("digest").asText();

                AtomicLong ok = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                load.scheduleAtFixedRate(() -> {
                    int status = Http.get(base + "/tenants/rb-" + (ok.get() % 500)).statusCode();
                    (status == 200 ? ok : failed).incrementAndGet();
                }, 0, 5, TimeUnit.MILLISECONDS);

                assertThat(Http.postJson(base + "/admin/rebuild", "").statusCode()).isEqualTo(202);
                await().atMost(TIMEOUT).until(() ->
                        Json.MAPPER.readTree(Http.get(base + "/admin/rebuild").body()).path("state").asText().equals("done"));
                // The retired generation is closed, its state deleted, while lookups go on.
                await().atMost(TIMEOUT).until(() -> !Files.exists(state.resolve(firstAppId)));
                long servedAfterRetire = ok.get();
                await().atMost(TIMEOUT).until(() -> ok.get() > servedAfterRetire + 50);
                load.shutdown();
                assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

                assertThat(failed.get()).isZero();
                JsonNode rebuild = Json.MAPPER.readTree(Http.get(base + "/admin/rebuild").body());
                assertThat(rebuild.path("recordsApplied").asLong()).isGreaterThanOrEqualTo(500);
                assertThat(rebuild.path("percent").asDouble()).isEqualTo(100.0);
                JsonNode stats = Json.MAPPER.readTree(Http.get(base + "/stats").body());
                assertThat(stats.path("generation").asLong()).isEqualTo(1);
                // A new generation's group has no offsets: the whole index came in by bulk restore (BulkRestore).
                assertThat(stats.path("restoredRecords").asLong()).isEqualTo(500);
                assertThat(Json.MAPPER.readTree(Http.get(base + "/digest").body()).path("digest").asText()).isEqualTo(digestBefore);
                System.out.printf("rebuild of 500 tenants: %s%n", rebuild);
            } finally {
                load.shutdownNow();
            }

            // A restart opens the rebuilt generation from its local state.
            try (ColoServer again = kafka.startColo("ORD", state)) {
                await().atMost(TIMEOUT).until(again::isReady);
                assertThat(again.replica().generation()).isEqualTo(1);
                assertThat(again.replica().applicationId()).isNotEqualTo(firstAppId);
                assertThat(again.reReadRecords()).isLessThan(50);
                assertThat(Json.MAPPER.readTree(Http.get("http://127.0.0.1:" + again.port() + "/digest").body())
                        .path("digest").asText()).isEqualTo(digestBefore);
            }
        }
    }
}
