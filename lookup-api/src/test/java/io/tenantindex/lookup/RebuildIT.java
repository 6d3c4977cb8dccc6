package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.lookup.usage.UsageRecorder;
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

/**
 * Blue/green rebuild on the real broker: no failed lookup while it runs, same content afterwards;
 * one that cannot finish ends failed while the current generation keeps serving.
 */
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

    @Test
    void shouldEndARebuildThatCannotCatchUpInTimeFailedAndKeepServingUntilALaterOneSucceeds() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            kafka.write(IntStream.range(0, 300).mapToObj(i -> registration("rf-" + i, 1 + i % 3)).toList());
            Path state = SharedKafka.tempDir("colo-");
            String appId;
            String digestBefore;
            // No replay catches up within 1 ms.
            Settings impatient = kafka.coloSettings("ORD", state).with(ConfigKeys.COLO_REBUILD_TIMEOUT_MS, "1");
            try (ColoServer colo = ColoServer.start(ColoConfig.from(impatient), UsageRecorder.NONE)) {
                await().atMost(TIMEOUT).until(colo::isReady);
                String base = "http://127.0.0.1:" + colo.port();
                appId = colo.replica().applicationId();
                digestBefore = Json.MAPPER.readTree(Http.get(base + "/digest").body()).path("digest").asText();

                for (long attempt = 1; attempt <= 2; attempt++) {
                    assertThat(Http.postJson(base + "/admin/rebuild", "").statusCode()).isEqualTo(202);
                    JsonNode failed = await().atMost(TIMEOUT).until(() -> Json.MAPPER.readTree(Http.get(base + "/admin/rebuild").body()),
                            r -> r.path("state").asText().equals("failed"));
                    // Each attempt is a generation of its own; the failed one is discarded, group and state.
                    assertThat(failed.path("generation").asLong()).isEqualTo(attempt);
                    assertThat(failed.path("error").asText()).contains(ConfigKeys.COLO_REBUILD_TIMEOUT_MS);
                    assertThat(failed.path("finishedAt").isNull()).isFalse();
                    JsonNode health = Json.MAPPER.readTree(Http.get(base + "/health").body());
                    assertThat(health.path("rebuild").path("state").asText()).isEqualTo("failed");
                    assertThat(health.path("ready").asBoolean()).isTrue();
                    String failedAppId = appId + "-g" + attempt;
                    await().atMost(TIMEOUT).until(() -> !Files.exists(state.resolve(failedAppId)));
                    assertThat(state.resolve(appId + ".rebuilding")).doesNotExist();

                    // The current generation never stopped serving.
                    assertThat(colo.replica().generation()).isZero();
                    assertThat(Http.get(base + "/tenants/rf-7").statusCode()).isEqualTo(200);
                    assertThat(Json.MAPPER.readTree(Http.get(base + "/digest").body()).path("digest").asText()).isEqualTo(digestBefore);
                }
            }

            // A restart does not take a failed rebuild up again, and a rebuild with time to finish switches.
            try (ColoServer again = kafka.startColo("ORD", state)) {
                await().atMost(TIMEOUT).until(again::isReady);
                String base = "http://127.0.0.1:" + again.port();
                assertThat(again.replica().generation()).isZero();
                assertThat(Http.get(base + "/admin/rebuild").statusCode()).as("no rebuild started by itself").isEqualTo(404);
                assertThat(Http.postJson(base + "/admin/rebuild", "").statusCode()).isEqualTo(202);
                await().atMost(TIMEOUT).until(() ->
                        Json.MAPPER.readTree(Http.get(base + "/admin/rebuild").body()).path("state").asText().equals("done"));
                assertThat(again.replica().generation()).isPositive();
                assertThat(Json.MAPPER.readTree(Http.get(base + "/health").body()).path("rebuild").isMissingNode()).isTrue();
                assertThat(Http.get(base + "/tenants/rf-7").statusCode()).isEqualTo(200);
                assertThat(Json.MAPPER.readTree(Http.get(base + "/digest").body()).path("digest").asText()).isEqualTo(digestBefore);
            }
        }
    }
}
