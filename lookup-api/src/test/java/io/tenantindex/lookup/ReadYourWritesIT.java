package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.common.ConsistencyToken;
import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.common.Json;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.TopicOffsets;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tokened lookups on the real broker: answered once applied, 503 NOT_UP_TO_BOUND after the wait. */
class ReadYourWritesIT {
    private static ColoFixture kafka;
    private static ColoServer colo;
    private static String base;

    @BeforeAll
    static void start() {
        kafka = new ColoFixture();
        kafka.write(registration("seed", 1));
        colo = kafka.startColo("ORD", SharedKafka.tempDir("colo-"));
        await().atMost(Duration.ofSeconds(30)).until(colo::isReady);
        base = "http://127.0.0.1:" + colo.port();
    }

    @AfterAll
    static void stop() {
        colo.close();
        kafka.close();
    }

    @Test
    void shouldSeeItsOwnWriteImmediatelyAfterTheWrite() {
        long[] micros = new long[200];
        long[] serverMicros = new long[micros.length];
        for (int v = 1; v <= micros.length; v++) {
            String id = "ryw-" + (v % 7);
            ConsistencyToken token = kafka.write(registration(id, v));
            long started = System.nanoTime();
            HttpResponse<String> r = Http.get(base + "/tenants/" + id, "X-Consistency-Token", token.encode());
            micros[v - 1] = (System.nanoTime() - started) / 1000;
            serverMicros[v - 1] = Long.parseLong(r.headers().firstValue("X-Index-Lookup-Micros").orElseThrow());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("ETag")).contains("\"" + v + "\"");
        }
        java.util.Arrays.sort(micros);
        java.util.Arrays.sort(serverMicros);
        System.out.printf("commit -> tokened lookup answered: over HTTP p50 %d us, p99 %d us; in the colo (wait + read) p50 %d us, p99 %d us (%d cycles)%n",
                micros[micros.length / 2], micros[micros.length * 99 / 100],
                serverMicros[micros.length / 2], serverMicros[micros.length * 99 / 100], micros.length);
        ConsistencyToken gone = kafka.delete("ryw-1");
        assertThat(Http.get(base + "/tenants/ryw-1?token=" + gone.encode()).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldWaitForAPositionNotYetWrittenAndAnswerOnceItIsApplied() throws Exception {
        String id = "later";
        int partition = IndexPartitioner.partitionFor(id, ColoFixture.PARTITIONS);
        long next = TopicOffsets.endOffsets(kafka.bootstrap, kafka.topic).get(new TopicPartition(kafka.topic, partition));
        ConsistencyToken future = new ConsistencyToken(kafka.topic, partition, next);

        CompletableFuture<HttpResponse<String>> pending = CompletableFuture.supplyAsync(
                () -> Http.get(base + "/tenants/" + id + "?wait=10s", "X-Consistency-Token", future.encode()));
        assertThat(pending).failsWithin(300, TimeUnit.MILLISECONDS);

        ConsistencyToken written = kafka.write(registration(id, 3));
        assertThat(written).isEqualTo(future);
        HttpResponse<String> r = pending.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(r.body()).path("version").asLong()).isEqualTo(3);
    }

    @Test
    void shouldAnswer503NotUpToBoundWithRetryAfterWhenThePositionIsNotReachedInTime() throws Exception {
        ConsistencyToken ahead = new ConsistencyToken(kafka.topic, 0, 1_000_000);
        long started = System.nanoTime();
        HttpResponse<String> r = Http.get(base + "/tenants/seed?wait=300", "X-Consistency-Token", ahead.encode());
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
        assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).isEqualTo("NOT_UP_TO_BOUND");
        assertThat(tookMs).isBetween(300L, 5_000L);
    }

    @Test
    void shouldRejectTokensOfPartitionsTheTopicDoesNotHave() throws Exception {
        ConsistencyToken foreign = new ConsistencyToken(kafka.topic, ColoFixture.PARTITIONS + 5, 1);
        HttpResponse<String> r = Http.get(base + "/tenants/seed", "X-Consistency-Token", foreign.encode());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).isEqualTo("INVALID_TOKEN");
    }
}
