package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.config.TopicConfig;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant deleted while a colo was down, and its tombstone compacted away before the colo came
 * back: the colo must not resume from its old state (it would never see the delete and serve the
 * tenant forever) but restore from the topic, and say so in {@code /health}. The same holds for a
 * colo that runs but was frozen that long.
 */
class CompactedDeleteIT {
    private static final Duration FREEZE = Duration.ofMillis(3500);
    private final ColoFixture kafka = new ColoFixture();

    @AfterEach
    void tearDown() {
        kafka.close();
    }

    @Test
    void shouldNotServeATenantWhoseDeleteWasCompactedAwayWhileTheColoWasDown() throws Exception {
        Path state = SharedKafka.tempDir("compacted-colo-");
        kafka.write(List.of(registration("ghost-1", 1), registration("kept-1", 1)));
        ColoServer first = kafka.startColo("ORD", state);
        try {
            await().atMost(Duration.ofSeconds(60)).until(first::isReady);
            assertThat(Http.get("http://127.0.0.1:" + first.port() + "/tenants/ghost-1").statusCode()).isEqualTo(200);
        } finally {
            first.close();
        }

        kafka.compactAggressively();
        int partition = kafka.delete("ghost-1").offsets().firstKey();
        // New records on the tombstone's partition roll its segment (segment.ms), so the cleaner
        // first cleans the tombstone and, past delete.retention.ms, drops it.
        AtomicInteger fillers = new AtomicInteger();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            kafka.write(registration(ColoFixture.keyOn(partition, fillers.incrementAndGet()), 1));
            return !kafka.keysOf(partition).contains("ghost-1");
        });

        ColoServer second = kafka.startColo("ORD", state);
        try {
            await().atMost(Duration.ofSeconds(60)).until(second::isReady);
            String base = "http://127.0.0.1:" + second.port();
            assertThat(Http.get(base + "/tenants/ghost-1").statusCode()).as("deleted while the colo was down").isEqualTo(404);
            assertThat(Http.get(base + "/tenants/kept-1").statusCode()).isEqualTo(200);
            assertThat(Http.get(base + "/tenants/" + ColoFixture.keyOn(partition, fillers.get())).statusCode()).isEqualTo(200);
            JsonNode health = Json.MAPPER.readTree(Http.get(base + "/health").body());
            assertThat(health.path("startupRebuild").path("reason").asText())
                    .contains("last in sync with " + kafka.topic)
                    .contains("delete.retention.ms (100 ms)");
        } finally {
            second.close();
        }
    }

    /**
     * A colo frozen (SIGSTOP) longer than half the topic's delete.retention.ms while writes go on
     * may have missed deletes the cleaner drops meanwhile: once it runs again it says so and
     * rebuilds its replica from the topic by itself. The freeze stays below the group's session
     * timeout, so the group keeps the colo's tasks and nothing else wipes its state.
     */
    @Test
    void shouldRebuildAColoThatWasFrozenLongerThanHalfTheTombstoneRetention() throws Exception {
        // 5 s retention: trusted 2.5 s, more than ten of the fixture's 200 ms refreshes.
        kafka.alterTopic(Map.of(TopicConfig.DELETE_RETENTION_MS_CONFIG, "5000"));
        kafka.write(registration("before-freeze", 1));
        Path state = SharedKafka.tempDir("frozen-colo-");
        int port = EmbeddedKafkaBroker.freePort();
        String base = "http://127.0.0.1:" + port;
        Process colo = kafka.startProcess("ORD", state, port, "frozen");
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> Http.get(base + "/health/ready").statusCode() == 200);
            assertThat(Http.get(base + "/tenants/before-freeze").statusCode()).isEqualTo(200);

            signal(colo, "STOP");
            kafka.write(registration("during-freeze", 1));
            // Frozen for 3.5 s: the condition only checks that the process is still there.
            await().pollDelay(FREEZE).atMost(FREEZE.plusSeconds(2)).until(colo::isAlive);
            signal(colo, "CONT");

            Path log = ColoFixture.processLog(state, "frozen");
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> Json.MAPPER.readTree(Http.get(base + "/stats").body()).path("generation").asLong() == 1);
            } catch (ConditionTimeoutException e) {
                // Whether the colo saw the gap, started the rebuild or is stuck in it is only in its own log.
                throw new AssertionError("no switch to generation 1 within 60 s; the colo's log:\n" + Files.readString(log), e);
            }
            assertThat(Files.readString(log)).contains("not in sync with " + kafka.topic, "rebuilding the replica from the topic");
            assertThat(Http.get(base + "/tenants/during-freeze").statusCode()).isEqualTo(200);
        } finally {
            signal(colo, "CONT");
            colo.destroy();
            colo.waitFor(30, TimeUnit.SECONDS);
            colo.destroyForcibly().waitFor();
        }
    }

    private static void signal(Process process, String name) throws Exception {
        int rc = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        assertThat(rc).as("kill -%s %d", name, process.pid()).isZero();
    }
}
