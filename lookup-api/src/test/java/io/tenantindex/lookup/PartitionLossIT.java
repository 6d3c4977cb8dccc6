package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.colo.ColoTopology;
import io.tenantindex.common.ConsistencyToken;
import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.common.Json;
import io.tenantindex.common.api.ApiHeaders;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * A ready colo loses partitions to a second member of its own consumer group (as a rebalance or a
 * task migration would take them): readiness drops, lookups of keys in the lost partitions answer
 * 503 NOT_READY (tokened ones too) and none is answered from a partition the other member holds;
 * when that member leaves, the colo gets them back and is ready again.
 */
class PartitionLossIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void shouldDropReadinessAndAnswer503ForKeysOfALostPartitionUntilItIsBack() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            List<TenantRegistration> regs = IntStream.range(0, 90).mapToObj(i -> registration("loss-" + i, 1)).toList();
            List<ConsistencyToken> tokens = kafka.write(regs);
            ColoServer colo = kafka.startColo("ORD", SharedKafka.tempDir("loss-colo-"));
            KafkaStreams intruder = null;
            try {
                String base = "http://127.0.0.1:" + colo.port();
                await().atMost(TIMEOUT).until(colo::isReady);
                assertThat(Http.get(base + "/health/ready").statusCode()).isEqualTo(200);

                intruder = secondMember(kafka, colo.replica().applicationId());
                KafkaStreams other = intruder;
                await().atMost(TIMEOUT).until(() -> !heldBy(other).isEmpty());
                await().atMost(TIMEOUT).until(() -> Http.get(base + "/health/ready").statusCode() == 503);
                assertThat(Json.MAPPER.readTree(Http.get(base + "/health").body()).path("status").asText()).isEqualTo("rebalancing");

                int refused = 0;
                int answered = 0;
                for (int i = 0; i < regs.size(); i++) {
                    String id = regs.get(i).getTenantId();
                    int partition = IndexPartitioner.partitionFor(id, ColoFixture.PARTITIONS);
                    Set<Integer> before = heldBy(other);
                    HttpResponse<String> plain = Http.get(base + "/tenants/" + id);
                    HttpResponse<String> tokened = Http.get(base + "/tenants/" + id, ApiHeaders.CONSISTENCY_TOKEN, tokens.get(i).encode());
                    Set<Integer> after = heldBy(other);
                    if (before.contains(partition) && after.contains(partition)) {
                        for (HttpResponse<String> r : List.of(plain, tokened)) {
                            assertThat(r.statusCode()).as("lookup of %s in partition %d held by the other member", id, partition)
                                    .isEqualTo(503);
                            assertThat(Json.MAPPER.readTree(r.body()).path("error").asText()).isEqualTo("NOT_READY");
                            assertThat(r.headers().firstValue("Retry-After")).isPresent();
                        }
                        refused++;
                    } else if (!before.contains(partition) && !after.contains(partition)) {
                        assertThat(plain.statusCode()).as("lookup of %s in partition %d still served here", id, partition).isEqualTo(200);
                        assertThat(tokened.statusCode()).isEqualTo(200);
                        answered++;
                    }
                }
                assertThat(refused).as("lookups refused for keys of lost partitions").isPositive();
                assertThat(answered).as("lookups answered for keys of the partitions kept").isPositive();

                intruder.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(30)));
                intruder = null;
                await().atMost(TIMEOUT).until(() -> Http.get(base + "/health/ready").statusCode() == 200);
                assertThat(Json.MAPPER.readTree(Http.get(base + "/health").body()).path("status").asText()).isEqualTo("ready");
                for (TenantRegistration r : regs) {
                    assertThat(Http.get(base + "/tenants/" + r.getTenantId()).statusCode()).isEqualTo(200);
                }
            } finally {
                if (intruder != null) {
                    intruder.close(Duration.ofSeconds(10));
                }
                colo.close();
            }
        }
    }

    /**
     * Another Kafka Streams client in the colo's group (its application id) with a topology of the
     * same shape (one sub-topology over the index topic, the same store), so the assignor gives it
     * some of the colo's tasks.
     */
    private static KafkaStreams secondMember(ColoFixture kafka, String applicationId) {
        Properties props = KafkaSettings.of(kafka.bootstrap).clientProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
        props.put(StreamsConfig.STATE_DIR_CONFIG, SharedKafka.tempDir("loss-intruder-").toString());
        StreamsBuilder builder = new StreamsBuilder();
        builder.table(kafka.topic, Consumed.with(Serdes.String(), Serdes.ByteArray()),
                Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as(ColoTopology.STORE).withCachingDisabled());
        KafkaStreams streams = new KafkaStreams(builder.build(props), props);
        streams.start();
        return streams;
    }

    /** The index partitions the other member runs as active tasks. */
    private static Set<Integer> heldBy(KafkaStreams streams) {
        Set<Integer> held = new TreeSet<>();
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return held;
        }
        streams.metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(task -> held.add(task.taskId().partition())));
        return held;
    }
}
