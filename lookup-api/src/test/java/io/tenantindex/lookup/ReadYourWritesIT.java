package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.common.Json;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.protocol.VersionedCodec;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.TopicOffsets;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
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
        ConsistencyToken future = ConsistencyToken.of(kafka.topic, ColoFixture.PARTITIONS, partition, next);

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
        ConsistencyToken ahead = ConsistencyToken.of(kafka.topic, ColoFixture.PARTITIONS, 0, 1_000_000);
        long started = System.nanoTime();
        HttpResponse<String> r = Http.get(base + "/tenants/seed?wait=300", "X-Consistency-Token", ahead.encode());
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
        assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).isEqualTo("NOT_UP_TO_BOUND");
        assertThat(tookMs).isBetween(300L, 5_000L);
    }

    @Test
    void shouldRejectTokensOfAnotherTopicOrPartitionCount() throws Exception {
        VersionedCodec v1 = new VersionedCodec("v1", 3);
        for (String foreign : List.of(v1.encode(kafka.topic, ColoFixture.PARTITIONS + 5, 1),
                ConsistencyToken.of(kafka.topic, ColoFixture.PARTITIONS + 1, 0, 1).encode(),
                ConsistencyToken.of(kafka.topic + "-other", ColoFixture.PARTITIONS, 0, 1).encode())) {
            HttpResponse<String> r = Http.get(base + "/tenants/seed", "X-Consistency-Token", foreign);
            assertThat(r.statusCode()).as(foreign).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).isEqualTo("INVALID_TOKEN");
        }
    }

    @Test
    void shouldWaitUntilEveryPartitionOfTheTokenIsApplied() throws Exception {
        // Two tenants on different partitions: the token names the one already written and the
        // next offset of the other, so the lookup of the first waits for the second's partition.
        String written = "vec-a";
        int applied = IndexPartitioner.partitionFor(written, ColoFixture.PARTITIONS);
        String later = IntStream.range(0, 100).mapToObj(i -> "vec-b" + i)
                .filter(id -> IndexPartitioner.partitionFor(id, ColoFixture.PARTITIONS) != applied).findFirst().orElseThrow();
        int pending = IndexPartitioner.partitionFor(later, ColoFixture.PARTITIONS);
        ConsistencyToken first = kafka.write(registration(written, 1));
        long next = TopicOffsets.endOffsets(kafka.bootstrap, kafka.topic).get(new TopicPartition(kafka.topic, pending));
        ConsistencyToken session = first.merge(ConsistencyToken.of(kafka.topic, ColoFixture.PARTITIONS, pending, next));

        CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(
                () -> Http.get(base + "/tenants/" + written + "?wait=10s", "X-Consistency-Token", session.encode()));
        assertThat(answer).failsWithin(300, TimeUnit.MILLISECONDS);
        assertThat(kafka.write(registration(later, 1)).offsets()).containsEntry(pending, next);
        HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(r.body()).path("version").asLong()).isEqualTo(1);

        ConsistencyToken ahead = session.merge(ConsistencyToken.of(kafka.topic, ColoFixture.PARTITIONS, pending, next + 1_000_000));
        HttpResponse<String> notYet = Http.get(base + "/tenants/" + written + "?wait=300", "X-Consistency-Token", ahead.encode());
        assertThat(notYet.statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(notYet.body()).path("message").asText()).contains("partition " + pending + " offset");
    }

    @Test
    void shouldStillHonourAV1Token() throws Exception {
        ConsistencyToken written = kafka.write(registration("v1-tenant", 4));
        Map.Entry<Integer, Long> at = written.offsets().firstEntry();
        String v1 = new VersionedCodec("v1", 3).encode(kafka.topic, at.getKey(), at.getValue());
        HttpResponse<String> r = Http.get(base + "/tenants/v1-tenant", "X-Consistency-Token", v1);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(r.body()).path("version").asLong()).isEqualTo(4);
    }
}
