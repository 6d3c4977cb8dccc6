package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.SseReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /changes} of a colo on the real broker, over real HTTP: SSE and NDJSON long-poll. */
class ChangeFeedIT {
    private static final Duration MAX_WAIT = Duration.ofMillis(1500);
    private static ColoFixture kafka;
    private static ColoServer colo;
    private static String base;

    @BeforeAll
    static void start() {
        kafka = new ColoFixture();
        kafka.write(List.of(registration("alpha", 1), registration("beta", 1), registration("gamma", 2)));
        colo = ColoServer.start(ColoConfig.from(kafka.coloSettings("ORD", SharedKafka.tempDir("feed-colo-")).with(Map.of(
                ConfigKeys.FEED_MAX_WAIT_MS, Long.toString(MAX_WAIT.toMillis()),
                ConfigKeys.FEED_HEARTBEAT_MS, "200",
                // Smaller than the tests' bursts: resumes read the topic before the ring takes over.
                ConfigKeys.FEED_RING_CAPACITY, "400",
                ConfigKeys.FEED_MAX_BEHIND, "300"))), UsageRecorder.NONE);
        await().atMost(Duration.ofSeconds(30)).until(colo::isReady);
        base = "http://127.0.0.1:" + colo.port();
    }

    @AfterAll
    static void stop() {
        colo.close();
        kafka.close();
    }

    @Test
    void shouldStreamTheSnapshotThenEveryChangeWithItsTokenOverSse() {
        try (SseReader sse = SseReader.open(base + "/changes")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !sse.ofType("snapshot-end").isEmpty());
            List<String> ids = sse.ofType("snapshot").stream().map(e -> e.data().get("tenantId").asText()).toList();
            assertThat(ids).containsSubsequence("alpha", "beta", "gamma").isSorted();
            assertThat(sse.ofType("snapshot-end").get(0).id()).isNotNull();

            ConsistencyToken written = kafka.write(registration("sse-new", 7));
            await().atMost(Duration.ofSeconds(10)).until(() -> !sse.ofType("upsert").isEmpty());
            SseReader.Event upsert = sse.ofType("upsert").get(0);
            assertThat(upsert.data().get("tenantId").asText()).isEqualTo("sse-new");
            assertThat(upsert.data().get("version").asLong()).isEqualTo(7);
            assertThat(upsert.data().get("entry").get("doId").asText()).isNotEmpty();
            assertThat(upsert.id()).isEqualTo(upsert.data().get("token").asText());
            assertCovers(upsert.id(), written);

            ConsistencyToken deleted = kafka.delete("sse-new");
            await().atMost(Duration.ofSeconds(10)).until(() -> !sse.ofType("delete").isEmpty());
            assertThat(sse.ofType("delete").get(0).data().get("tenantId").asText()).isEqualTo("sse-new");
            assertCovers(sse.ofType("delete").get(0).id(), deleted);
            // Idle now: heartbeats keep the stream alive.
            int before = sse.heartbeats;
            await().atMost(Duration.ofSeconds(5)).until(() -> sse.heartbeats > before);
        }
    }

    @Test
    void shouldAnswerALongPollWithTheChangesAfterItsToken() {
        List<JsonNode> snapshot = ndjson(Http.get(base + "/changes"));
        JsonNode end = snapshot.get(snapshot.size() - 1);
        assertThat(end.get("type").asText()).isEqualTo("snapshot-end");
        String since = end.get("token").asText();

        ConsistencyToken written = kafka.write(registration("poll-new", 3));
        List<JsonNode> changes = ndjson(Http.get(base + "/changes?since=" + since + "&wait=10000"));
        JsonNode change = changes.stream().filter(c -> c.get("tenantId").asText().equals("poll-new")).findFirst().orElseThrow();
        assertThat(change.get("type").asText()).isEqualTo("upsert");
        assertCovers(change.get("token").asText(), written);

        // Nothing after the last token: a heartbeat with the same token once the wait is over.
        String last = changes.get(changes.size() - 1).get("token").asText();
        List<JsonNode> idle = ndjson(Http.get(base + "/changes?since=" + last + "&wait=100"));
        assertThat(idle).hasSize(1);
        assertThat(idle.get(0).get("type").asText()).isEqualTo("heartbeat");
        assertThat(idle.get(0).get("token").asText()).isEqualTo(last);
    }

    @Test
    void shouldCapAWaitBeyondTheMaximum() {
        String since = snapshotEndToken();
        long started = System.nanoTime();
        HttpResponse<String> r = Http.get(base + "/changes?since=" + since + "&wait=600000");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ndjson(r).get(0).get("type").asText()).isIn("heartbeat", "upsert", "delete");
        assertThat(tookMs).isLessThan(MAX_WAIT.toMillis() + 5000);
    }

    @Test
    void shouldRefuseMalformedAndForeignTokensWith400Json() throws IOException {
        ConsistencyToken foreign = ConsistencyToken.of("another-topic", ColoFixture.PARTITIONS, 0, 5);
        ConsistencyToken otherCount = ConsistencyToken.of(kafka.topic, ColoFixture.PARTITIONS + 1, 0, 5);
        for (String bad : List.of("@@@", "bm90LWEtdG9rZW4", foreign.encode(), otherCount.encode())) {
            for (HttpResponse<String> r : List.of(Http.get(base + "/changes?since=" + bad),
                    Http.get(base + "/changes", "Accept", "text/event-stream", "Last-Event-ID", bad))) {
                assertThat(r.statusCode()).as(bad).isEqualTo(400);
                assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
                assertThat(Json.MAPPER.readTree(r.body()).get("error").asText()).isEqualTo("INVALID_TOKEN");
            }
        }
        assertThat(Http.get(base + "/changes?since=" + snapshotEndToken() + "&wait=soon").statusCode()).isEqualTo(400);
    }

    @Test
    void shouldResumeAfterADisconnectWithExactlyTheChangesMissedInOrder() {
        String lastId;
        try (SseReader sse = SseReader.open(base + "/changes")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !sse.ofType("snapshot-end").isEmpty());
            kafka.write(registration("before-gap", 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> sse.ofType("upsert").stream()
                    .anyMatch(e -> e.data().get("tenantId").asText().equals("before-gap")));
            List<SseReader.Event> upserts = sse.ofType("upsert");
            lastId = upserts.get(upserts.size() - 1).id();
        }
        List<TenantRegistration> missed = many("gap-", 1000);
        for (int i = 0; i < missed.size(); i += 100) {
            kafka.write(missed.subList(i, i + 100));
        }

        try (SseReader sse = SseReader.open(base + "/changes", "Last-Event-ID", lastId)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> sse.events.size() >= missed.size());
            // Idle afterwards: a heartbeat, and still nothing more than what was missed.
            int heartbeats = sse.heartbeats;
            await().atMost(Duration.ofSeconds(5)).until(() -> sse.heartbeats > heartbeats);
            assertThat(sse.events).allMatch(e -> e.type().equals("upsert"));
            assertInWriteOrder(sse.events.stream().map(SseReader.Event::data).toList(), missed);
        }

        // The same over long-poll, page by page.
        List<JsonNode> polled = new ArrayList<>();
        String since = lastId;
        while (polled.size() < missed.size()) {
            List<JsonNode> page = ndjson(Http.get(base + "/changes?since=" + since + "&limit=300&wait=5000"));
            page.stream().filter(e -> !e.get("type").asText().equals("heartbeat")).forEach(polled::add);
            since = page.get(page.size() - 1).get("token").asText();
        }
        assertInWriteOrder(polled, missed);
    }

    @Test
    void shouldCutOffAConsumerThatReadsNothingWithoutGrowingTheColosHeap() {
        try (SseReader sse = SseReader.open(base + "/changes")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !sse.ofType("snapshot-end").isEmpty());
            sse.pause();
            long heapBefore = usedHeapAfterGc();
            // ~1.5 KB per event, ~9 MB in all: more than the socket buffers between the colo and the paused reader.
            List<TenantRegistration> burst = IntStream.range(0, 6000).mapToObj(i -> wide("slow-" + i)).toList();
            for (int i = 0; i < burst.size(); i += 500) {
                kafka.write(burst.subList(i, i + 500));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> Http.get(base + "/tenants/slow-5999").statusCode() == 200);
            long grown = usedHeapAfterGc() - heapBefore;
            sse.resume();

            await().atMost(Duration.ofSeconds(30)).until(() -> sse.ended);
            List<SseReader.Event> cutoffs = sse.ofType("cutoff");
            assertThat(cutoffs).hasSize(1);
            SseReader.Event cutoff = cutoffs.get(0);
            assertThat(cutoff.data().get("reason").asText()).contains("slow consumer");
            assertThat(cutoff.id()).isEqualTo(cutoff.data().get("token").asText());
            assertThat(sse.events.get(sse.events.size() - 1)).isEqualTo(cutoff);
            // The colo kept nothing per event for the paused reader (the ring holds 400 changes, shared).
            assertThat(grown).as("heap growth while the reader was paused").isLessThan(48L << 20);

            // Resuming from the cutoff token brings exactly the rest, from the topic.
            List<String> seen = sse.ofType("upsert").stream().map(e -> e.data().get("tenantId").asText()).toList();
            List<JsonNode> rest = new ArrayList<>();
            String since = cutoff.id();
            while (seen.size() + rest.size() < burst.size()) {
                List<JsonNode> page = ndjson(Http.get(base + "/changes?since=" + since + "&limit=5000&wait=5000"));
                page.stream().filter(e -> !e.get("type").asText().equals("heartbeat")).forEach(rest::add);
                since = page.get(page.size() - 1).get("token").asText();
            }
            List<String> all = new ArrayList<>(seen);
            rest.forEach(e -> all.add(e.get("tenantId").asText()));
            assertThat(all).doesNotHaveDuplicates().hasSameSizeAs(burst);
        }
    }

    /** Exactly {@code written}, each once, and within each partition in the order they were written. */
    private static void assertInWriteOrder(List<JsonNode> received, List<TenantRegistration> written) {
        List<String> ids = received.stream().map(e -> e.get("tenantId").asText()).toList();
        assertThat(ids).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(written.stream().map(TenantRegistration::getTenantId).toList());
        for (int p = 0; p < ColoFixture.PARTITIONS; p++) {
            int partition = p;
            List<String> expected = written.stream().map(TenantRegistration::getTenantId)
                    .filter(id -> IndexPartitioner.partitionFor(id, ColoFixture.PARTITIONS) == partition).toList();
            assertThat(ids.stream().filter(id -> IndexPartitioner.partitionFor(id, ColoFixture.PARTITIONS) == partition).toList())
                    .as("partition %d in offset order", p).isEqualTo(expected);
        }
    }

    private static TenantRegistration wide(String id) {
        TenantRegistration r = registration(id, 1);
        r.getMetadata().setFeatures(IntStream.range(0, 60).mapToObj(i -> "feature-" + i + "-of-a-wide-tenant").toList());
        return r;
    }

    /** Heap in use after a collection: the colo runs in this JVM. */
    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static String snapshotEndToken() {
        List<JsonNode> snapshot = ndjson(Http.get(base + "/changes"));
        return snapshot.get(snapshot.size() - 1).get("token").asText();
    }

    /** The feed's token names the written record's partition at (at least) its offset. */
    static void assertCovers(String feedToken, ConsistencyToken written) {
        ConsistencyToken token = ConsistencyToken.decode(feedToken, kafka.topic, ColoFixture.PARTITIONS);
        written.offsets().forEach((partition, offset) -> assertThat(token.offsets().get(partition)).isEqualTo(offset));
    }

    static List<JsonNode> ndjson(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank()) {
                try {
                    out.add(Json.MAPPER.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    static List<TenantRegistration> many(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> registration(prefix + i, 1)).toList();
    }
}
