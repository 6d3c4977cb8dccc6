package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.common.Json;
import io.tenantindex.protocol.ApiHeaders;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
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

                intruder = kafka.secondMember(colo.replica().applicationId());
                KafkaStreams other = intruder;
                await().atMost(TIMEOUT).until(() -> !ColoFixture.heldBy(other).isEmpty());
                await().atMost(TIMEOUT).until(() -> Http.get(base + "/health/ready").statusCode() == 503);
                assertThat(Json.MAPPER.readTree(Http.get(base + "/health").body()).path("status").asText()).isEqualTo("rebalancing");

                int refused = 0;
                int answered = 0;
                for (int i = 0; i < regs.size(); i++) {
                    String id = regs.get(i).getTenantId();
                    int partition = IndexPartitioner.partitionFor(id, ColoFixture.PARTITIONS);
                    Set<Integer> before = ColoFixture.heldBy(other);
                    HttpResponse<String> plain = Http.get(base + "/tenants/" + id);
                    HttpResponse<String> tokened = Http.get(base + "/tenants/" + id, ApiHeaders.CONSISTENCY_TOKEN, tokens.get(i).encode());
                    Set<Integer> after = ColoFixture.heldBy(other);
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
}
