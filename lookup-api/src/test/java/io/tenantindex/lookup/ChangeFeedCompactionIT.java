package io.tenantindex.lookup;

import static io.tenantindex.lookup.ChangeFeedIT.ndjson;
import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A change-feed token from before the cleaner dropped a tombstone cannot be resumed (the delete
 * would be missed): 410 CHANGES_GONE, and a fresh snapshot has the index without the deleted tenant.
 */
class ChangeFeedCompactionIT {
    @Test
    void shouldAnswer410ForATokenFromBeforeATombstoneWasCompactedAwayAndConvergeOnAFreshSnapshot() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            kafka.write(List.of(registration("ghost", 1), registration("kept", 1)));
            // A ring of one change: the fillers push the delete out of it, so a resume reads the topic.
            ColoServer colo = ColoServer.start(ColoConfig.from(kafka.coloSettings("ORD", SharedKafka.tempDir("feed-compacted-"))
                    .with(Map.of(ConfigKeys.FEED_RING_CAPACITY, "1", ConfigKeys.FEED_MAX_BEHIND, "1"))), UsageRecorder.NONE);
            try {
                await().atMost(Duration.ofSeconds(60)).until(colo::isReady);
                String base = "http://127.0.0.1:" + colo.port();
                List<JsonNode> before = ndjson(Http.get(base + "/changes"));
                String token = before.get(before.size() - 1).get("token").asText();

                kafka.compactAggressively();
                int partition = kafka.delete("ghost").offsets().firstKey();
                AtomicInteger fillers = new AtomicInteger();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    kafka.write(registration(ColoFixture.keyOn(partition, fillers.incrementAndGet()), 1));
                    return !kafka.keysOf(partition).contains("ghost");
                });
                String lastFiller = ColoFixture.keyOn(partition, fillers.get());
                await().atMost(Duration.ofSeconds(30)).until(() -> Http.get(base + "/tenants/" + lastFiller).statusCode() == 200);

                for (HttpResponse<String> r : List.of(Http.get(base + "/changes?since=" + token),
                        Http.get(base + "/changes", "Accept", "text/event-stream", "Last-Event-ID", token))) {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(410);
                    JsonNode error = Json.MAPPER.readTree(r.body());
                    assertThat(error.get("error").asText()).isEqualTo("CHANGES_GONE");
                    assertThat(error.get("message").asText()).contains("delete.retention.ms");
                }

                List<String> snapshot = new ArrayList<>();
                ndjson(Http.get(base + "/changes")).stream().filter(e -> e.get("type").asText().equals("snapshot"))
                        .forEach(e -> snapshot.add(e.get("tenantId").asText()));
                List<String> expected = new ArrayList<>(List.of("kept"));
                for (int i = 1; i <= fillers.get(); i++) {
                    expected.add(ColoFixture.keyOn(partition, i));
                }
                assertThat(snapshot).doesNotContain("ghost").containsExactlyInAnyOrderElementsOf(expected).isSorted();
            } finally {
                colo.close();
            }
        }
    }
}
