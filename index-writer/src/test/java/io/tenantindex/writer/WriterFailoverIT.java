package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.TopicOffsets;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Single-writer guarantees across fencing, restarts and a kill -9 in the middle of an import. */
class WriterFailoverIT {

    @Test
    void shouldFenceTheOlderWriterSoThatNoneOfItsLaterWritesIsReadable() throws Exception {
        String topic = SharedKafka.uniqueName("fence");
        String writerId = SharedKafka.uniqueName("primary");
        // Without the election the newer writer claims the transactional id at start: fencing alone is tested.
        try (WriterApp first = WriterFixture.startWithoutElection(topic, writerId)) {
            String firstBase = "http://127.0.0.1:" + first.port();
            assertThat(Http.putJson(firstBase + "/tenants/before", WriterFixture.body("pro")).statusCode()).isEqualTo(201);

            try (WriterApp second = WriterFixture.startWithoutElection(topic, writerId)) {
                String secondBase = "http://127.0.0.1:" + second.port();
                HttpResponse<String> zombie = Http.putJson(firstBase + "/tenants/zombie", WriterFixture.body("pro"));
                assertThat(zombie.statusCode()).isEqualTo(503);
                assertThat(Json.MAPPER.readTree(zombie.body()).get("error").asText()).isEqualTo("WRITER_FENCED");
                assertThat(Http.putJson(firstBase + "/tenants/zombie2", WriterFixture.body("pro")).statusCode()).isEqualTo(503);
                JsonNode health = Json.MAPPER.readTree(Http.get(firstBase + "/health").body());
                assertThat(health.get("status").asText()).isEqualTo("FENCED");
                assertThat(Http.get(firstBase + "/health/ready").statusCode()).isEqualTo(503);

                assertThat(Http.get(secondBase + "/tenants/zombie").statusCode()).isEqualTo(404);
                HttpResponse<String> next = Http.putJson(secondBase + "/tenants/before", WriterFixture.body("free"));
                assertThat(Json.MAPPER.readTree(next.body()).get("version").asLong()).isEqualTo(2);
            }
        }
        Map<String, List<Long>> committed = CommittedRecords.versionsByTenant(topic);
        assertThat(committed).containsOnlyKeys("before");
        assertThat(committed.get("before")).containsExactly(1L, 2L);
    }

    @Test
    void shouldContinueVersionsExactlyAfterARestart() throws Exception {
        String topic = SharedKafka.uniqueName("restart");
        String writerId = SharedKafka.uniqueName("primary");
        try (WriterApp writer = WriterFixture.start(topic, writerId)) {
            String base = "http://127.0.0.1:" + writer.port();
            for (int i = 0; i < 3; i++) {
                Http.putJson(base + "/tenants/kept", WriterFixture.body("pro"));
            }
            Http.putJson(base + "/tenants/dropped", WriterFixture.body("pro"));
            assertThat(Http.delete(base + "/tenants/dropped").statusCode()).isEqualTo(204);
        }
        try (WriterApp writer = WriterFixture.start(topic, writerId)) {
            String base = "http://127.0.0.1:" + writer.port();
            assertThat(Json.MAPPER.readTree(Http.get(base + "/tenants/kept").body()).get("version").asLong()).isEqualTo(3);
            assertThat(Json.MAPPER.readTree(Http.putJson(base + "/tenants/kept", WriterFixture.body("free")).body())
                    .get("version").asLong()).isEqualTo(4);
            assertThat(Http.get(base + "/tenants/dropped").statusCode()).isEqualTo(404);
            assertThat(Json.MAPPER.readTree(Http.putJson(base + "/tenants/dropped", WriterFixture.body("free")).body())
                    .get("version").asLong()).isEqualTo(2);
        }
    }

    @Test
    void shouldShowNoPartialTransactionAndNoVersionGapAfterAKillDashNineMidImport() throws Exception {
        String topic = SharedKafka.uniqueName("kill9");
        String writerId = SharedKafka.uniqueName("primary");
        int tenants = 60_000;
        String ndjson = IntStream.range(0, tenants)
                .mapToObj(i -> "{\"tenantId\":\"t" + i + "\",\"metadata\":{\"tier\":\"free\"}}")
                .collect(Collectors.joining("\n"));

        Settings settings = WriterFixture.settings(topic, 3, writerId).with(ConfigKeys.WRITER_MAX_BATCH, "500");
        String transactionalId = WriterConfig.from(settings).transactionalId();
        WriterProcess child = WriterProcess.start(writerId, settings);
        // Single PUTs race the import and the kill; every one the writer acknowledged must survive it.
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        AtomicBoolean killed = new AtomicBoolean();
        CompletableFuture<Void> puts = null;
        try {
            String base = child.base();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> Http.get(base + "/health/ready").statusCode() == 200);
            CompletableFuture.runAsync(() -> Http.send(Http.builder(base + "/tenants:import", "Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build()));
            puts = CompletableFuture.runAsync(() -> {
                for (int i = 0; !killed.get(); i++) {
                    try {
                        if (Http.putJson(base + "/tenants/acked-" + i, WriterFixture.body("pro")).statusCode() == 201) {
                            acknowledged.add("acked-" + i);
                        }
                    } catch (RuntimeException connectionLost) {
                        return;
                    }
                }
            });
            // Kill once some transactions have committed but (at 500 per transaction) far from all of them.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() ->
                    TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), topic).values().stream().mapToLong(Long::longValue).sum() > 1_000);
            freezeInsideAnOpenTransaction(child, transactionalId, topic);
        } finally {
            child.kill();
            killed.set(true);
        }
        // Dead, the writer can neither commit nor abort: what the broker shows now is what was open at the kill.
        assertThat(openTransaction(transactionalId, topic))
                .as("a transaction of the killed writer was open, its records in the log but not committed").isTrue();
        puts.get(30, TimeUnit.SECONDS);

        try (WriterApp successor = WriterFixture.start(topic, writerId)) {
            Map<String, List<Long>> afterKill = CommittedRecords.versionsByTenant(topic);
            assertThat(acknowledged).as("single writes acknowledged before the kill").isNotEmpty();
            assertThat(afterKill).as("every acknowledged write survives the kill").containsKeys(acknowledged.toArray(String[]::new));
            long imported = afterKill.keySet().stream().filter(id -> id.startsWith("t")).count();
            assertThat(imported).as("the kill came mid-import").isBetween(1L, tenants - 1L);
            assertThat(afterKill.values()).allSatisfy(v -> assertThat(v).containsExactly(1L));
            afterKill.keySet().removeIf(id -> id.startsWith("acked-"));
            afterKill.keySet().forEach(id -> assertThat(id).startsWith("t"));

            String base = "http://127.0.0.1:" + successor.port();
            HttpResponse<String> again = Http.send(Http.builder(base + "/tenants:import", "Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build());
            assertThat(Json.MAPPER.readTree(again.body()).get("written").asLong()).isEqualTo(tenants);
        }
        Map<String, List<Long>> finalState = CommittedRecords.versionsByTenant(topic);
        finalState.keySet().removeIf(id -> id.startsWith("acked-"));
        assertThat(finalState).hasSize(tenants);
        finalState.values().forEach(versions -> assertThat(versions)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, versions.size()).boxed().toList())
                .hasSizeBetween(1, 2));
    }

    /**
     * Stops the writer process (SIGSTOP) at a moment when one of its transactions is open, so that
     * the kill that follows lands inside it; a stop that caught it between two transactions is
     * undone (SIGCONT) and tried again.
     */
    private static void freezeInsideAnOpenTransaction(WriterProcess child, String transactionalId, String topic) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            child.pause();
            if (openTransaction(transactionalId, topic)) {
                return true;
            }
            child.resume();
            return false;
        });
    }

    /**
     * True when the transactional id has an ongoing transaction on {@code topic} and some partition
     * holds records past its last stable offset: written in that transaction, not (yet) committed.
     */
    private static boolean openTransaction(String transactionalId, String topic) throws Exception {
        try (Admin admin = Admin.create(KafkaSettings.of(SharedKafka.bootstrapServers()).clientProperties())) {
            TransactionDescription txn = admin.describeTransactions(List.of(transactionalId)).all().get().get(transactionalId);
            if (txn.state() != TransactionState.ONGOING || txn.topicPartitions().stream().noneMatch(tp -> tp.topic().equals(topic))) {
                return false;
            }
            Map<TopicPartition, Long> stable = TopicAdmin.endOffsets(admin, topic, IsolationLevel.READ_COMMITTED);
            Map<TopicPartition, Long> end = TopicAdmin.endOffsets(admin, topic, IsolationLevel.READ_UNCOMMITTED);
            return end.entrySet().stream().anyMatch(e -> e.getValue() > stable.get(e.getKey()));
        }
    }
}
