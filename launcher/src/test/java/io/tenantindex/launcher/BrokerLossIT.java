package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.kafka.embedded.EmbeddedKafkaCluster;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.SharedKafkaCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production shape's broker loss, on a real three-node KRaft cluster: the writer and a colo run
 * on topics replicated three times (min.insync.replicas 2) while a client PUTs and another looks
 * up without a pause; the broker that leads most index partitions stops as a crashed one does (no
 * controlled shutdown, see {@link SharedKafkaCluster}) and later starts again. Nothing acknowledged
 * is lost, no lookup fails, and nobody has to restart anything.
 */
class BrokerLossIT {
    private static final int KNOWN_TENANTS = 20;
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration LOAD_LIMIT = Duration.ofSeconds(60);

    private static EmbeddedKafkaCluster cluster;
    private static LocalStack stack;
    private static Admin admin;
    private static String indexTopic;
    private static String writer;
    private static String colo;

    @BeforeAll
    static void start() {
        long started = System.nanoTime();
        cluster = SharedKafkaCluster.cluster();
        String prefix = SharedKafka.uniqueName("broker-loss");
        indexTopic = prefix + "-index";
        stack = TestStacks.start(TestStacks.settings(prefix, "ORD:0", cluster.bootstrapServers()).with(Map.of(
                ConfigKeys.TOPIC_REPLICATION_FACTOR, "3",
                ConfigKeys.TOPIC_MIN_INSYNC_REPLICAS, "2",
                ConfigKeys.SINK, "false")));
        writer = stack.writerUrl();
        colo = stack.coloUrls().get("ORD");
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        admin = Admin.create(props);
        System.out.printf("three-broker cluster started in %d ms; cluster + stack in %d ms%n",
                SharedKafkaCluster.startMillis(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static String[] writerAuth() {
        return new String[] {"Authorization", "Bearer " + stack.credentials().orElseThrow().writerToken()};
    }

    private static String body(String tier) {
        return "{\"coloHint\":\"ORD\",\"metadata\":{\"tier\":\"" + tier + "\",\"features\":[],\"region\":\"us\"}}";
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }

    private static Map<Integer, TopicPartitionInfo> indexPartitions() throws Exception {
        TopicDescription d = admin.describeTopics(List.of(indexTopic)).allTopicNames().get(10, TimeUnit.SECONDS).get(indexTopic);
        return d.partitions().stream().collect(Collectors.toMap(TopicPartitionInfo::partition, Function.identity()));
    }

    /** Broker id → how many partitions of the transaction-state and consumer-offsets topics it leads. */
    private static Map<Integer, Long> coordinatorLeaders() throws Exception {
        return admin.describeTopics(List.of("__transaction_state", "__consumer_offsets")).allTopicNames().get(10, TimeUnit.SECONDS)
                .values().stream().flatMap(t -> t.partitions().stream())
                .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
    }

    @Test
    void shouldLoseNoAcknowledgedWriteAndFailNoLookupWhenTheBrokerLeadingMostPartitionsStops() throws Exception {
        Map<Integer, TopicPartitionInfo> before = indexPartitions();
        assertThat(before.values()).allSatisfy(p -> {
            assertThat(p.replicas()).hasSize(3);
            assertThat(p.isr()).hasSize(3);
        });

        // Each write's token names only its own partition, so each tenant is read with its own.
        Map<String, String> knownTokens = new LinkedHashMap<>();
        for (int i = 0; i < KNOWN_TENANTS; i++) {
            String id = "known-" + i;
            HttpResponse<String> r = Http.putJson(writer + "/tenants/" + id, body("pro"), writerAuth());
            assertThat(r.statusCode()).as("PUT %s: %s", id, r.body()).isIn(200, 201);
            knownTokens.put(id, r.headers().firstValue("X-Consistency-Token").orElseThrow());
        }
        knownTokens.forEach((id, token) -> assertThat(
                Http.get(colo + "/tenants/" + id + "?wait=10s", "X-Consistency-Token", token).statusCode()).as(id).isEqualTo(200));
        List<String> known = List.copyOf(knownTokens.keySet());

        // The load: one client PUTs new tenants, another looks up known ones, until stopped or bounded.
        AtomicBoolean stopLoad = new AtomicBoolean();
        Map<String, String> acknowledged = new ConcurrentHashMap<>(); // tenant → consistency token
        List<String> failedWrites = Collections.synchronizedList(new ArrayList<>());
        List<String> failedLookups = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger lookups = new AtomicInteger();
        AtomicLong slowestLookupMicros = new AtomicLong();
        AtomicLong slowestWriteMillis = new AtomicLong();
        long loadDeadline = System.nanoTime() + LOAD_LIMIT.toNanos();
        CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 20_000 && !stopLoad.get() && System.nanoTime() < loadDeadline; i++) {
                String id = "w-" + i;
                long sent = System.nanoTime();
                try {
                    HttpResponse<String> r = Http.putJson(writer + "/tenants/" + id, body("free"), writerAuth());
                    slowestWriteMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent), Math::max);
                    if (r.statusCode() == 201) {
                        acknowledged.put(id, r.headers().firstValue("X-Consistency-Token").orElseThrow());
                    } else {
                        failedWrites.add(id + ": " + r.statusCode() + " " + r.body());
                    }
                } catch (RuntimeException e) {
                    failedWrites.add(id + ": " + e);
                }
            }
        }, runnable -> new Thread(runnable, "broker-loss-writes").start());
        HttpClient lookupClient = HttpClient.newBuilder().connectTimeout(LOOKUP_TIMEOUT).build();
        CompletableFuture<Void> reads = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 2_000_000 && !stopLoad.get() && System.nanoTime() < loadDeadline; i++) {
                String id = known.get(ThreadLocalRandom.current().nextInt(known.size()));
                long sent = System.nanoTime();
                try {
                    HttpResponse<String> r = lookupClient.send(HttpRequest.newBuilder(URI.create(colo + "/tenants/" + id))
                            .timeout(LOOKUP_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        failedLookups.add(id + ": " + r.statusCode() + " " + r.body());
                    }
                } catch (IOException e) {
                    failedLookups.add(id + ": " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                slowestLookupMicros.accumulateAndGet(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sent), Math::max);
                lookups.incrementAndGet();
            }
        }, runnable -> new Thread(runnable, "broker-loss-lookups").start());

        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.size() >= 20);

            Map<Integer, Long> leaderships = before.values().stream()
                    .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
            // Of the brokers leading most index partitions, the one that also leads most coordinator
            // partitions (the writer's transactions, the colo's group): the most there is to lose.
            Map<Integer, Long> coordinators = coordinatorLeaders();
            int victim = leaderships.keySet().stream().max(Comparator.<Integer>comparingLong(leaderships::get)
                    .thenComparingLong(id -> coordinators.getOrDefault(id, 0L))).orElseThrow();
            int ackedAtStop = acknowledged.size();
            long stopping = System.nanoTime();
            cluster.stopNode(victim);
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);

            // The controller fences the silent broker after broker.session.timeout.ms and moves its
            // leaderships; meanwhile both sides go on by themselves: new writes are acknowledged
            // and the colo applies them.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(indexPartitions().values()).allSatisfy(p -> {
                assertThat(p.leader().id()).isNotEqualTo(victim);
                assertThat(p.isr()).hasSize(2);
            }));
            long failoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= ackedAtStop + 40);
            String afterStop = "w-" + acknowledged.keySet().stream().mapToInt(id -> Integer.parseInt(id.substring(2))).max().orElseThrow();
            assertThat(Http.get(colo + "/tenants/" + afterStop + "?wait=10s", "X-Consistency-Token", acknowledged.get(afterStop))
                    .statusCode()).as("a write made without broker %d, at the colo", victim).isEqualTo(200);

            long starting = System.nanoTime();
            cluster.startNode(victim);
            await().atMost(Duration.ofSeconds(30)).until(() -> indexPartitions().values().stream().allMatch(p -> p.isr().size() == 3));
            long rejoinMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - starting);
            int ackedAtRejoin = acknowledged.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.size() >= ackedAtRejoin + 20);

            stopLoad.set(true);
            CompletableFuture.allOf(writes, reads).get(60, TimeUnit.SECONDS);
            System.out.printf("broker %d (leader of %d of %d index partitions and %d coordinator partitions) stopped in %d ms; "
                            + "its leaderships moved %d ms after the stop; back in the ISR of every partition %d ms after its start; "
                            + "%d writes acknowledged, %d failed, slowest %d ms; %d lookups, %d failed, slowest %d µs%n",
                    victim, leaderships.get(victim), before.size(), coordinators.getOrDefault(victim, 0L), stopMillis,
                    failoverMillis, rejoinMillis, acknowledged.size(), failedWrites.size(), slowestWriteMillis.get(),
                    lookups.get(), failedLookups.size(), slowestLookupMicros.get());
        } finally {
            stopLoad.set(true);
            // The cluster is shared by the JVM: leave it whole even when an await above failed.
            cluster.nodeIds().stream().filter(id -> !cluster.isRunning(id)).forEach(cluster::startNode);
        }

        assertThat(failedLookups).as("lookups that did not answer 200 within %s", LOOKUP_TIMEOUT).isEmpty();
        // Every acknowledged write is there, at the writer and at the colo (which has applied it).
        for (Map.Entry<String, String> write : acknowledged.entrySet()) {
            HttpResponse<String> atWriter = Http.get(writer + "/tenants/" + write.getKey());
            assertThat(atWriter.statusCode()).as("%s at the writer", write.getKey()).isEqualTo(200);
            assertThat(json(atWriter).get("version").asLong()).isEqualTo(1);
            HttpResponse<String> atColo = Http.get(colo + "/tenants/" + write.getKey() + "?wait=10s", "X-Consistency-Token", write.getValue());
            assertThat(atColo.statusCode()).as("%s at the colo", write.getKey()).isEqualTo(200);
            assertThat(json(atColo).get("version").asLong()).isEqualTo(1);
        }
        assertThat(failedWrites).as("writes refused while a broker was away (not acknowledged, so not lost)").isEmpty();
    }
}
