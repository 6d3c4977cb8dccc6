package io.tenantindex.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.LookupOutcome;
import io.tenantindex.schemas.UsageEvent;
import io.tenantindex.schemas.registry.InMemorySchemaRegistry;
import io.tenantindex.schemas.serde.AvroSerdes;
import io.tenantindex.testing.SharedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UsageTopologyTest {
    private static final String TOPIC = "tenant-usage";
    private static final Duration GRACE = Duration.ofMinutes(2);
    private static final Instant NOON = Instant.parse("2025-03-01T12:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, UsageEvent> input;
    private UsageQueries queries;
    private int requests;

    @BeforeEach
    void setUp() {
        Serde<UsageEvent> serde = AvroSerdes.specificValue(new InMemorySchemaRegistry(100), UsageEvent.getClassSchema(), true);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "usage-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, SharedKafka.tempDir("usage-ttd").toString());
        driver = new TopologyTestDriver(
                UsageTopology.buildTopology(new StreamsBuilder(), TOPIC, serde, GRACE, Duration.ofDays(1)), props);
        input = driver.createInputTopic(TOPIC, new StringSerializer(), serde.serializer());
        queries = new UsageQueries(g -> driver.getWindowStore(g.store()));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private void lookup(String tenant, LookupOutcome outcome, long latencyMicros, Instant at) {
        UsageEvent event = UsageEvent.newBuilder().setTenantId(tenant).setColo("ORD").setOutcome(outcome)
                .setLatencyMicros(latencyMicros).setTimestamp(at.toEpochMilli()).setRequestId("r" + requests++).build();
        // The Kafka timestamp deliberately differs: windows must follow the lookup's own timestamp.
        input.pipeInput(tenant, event, at.plusSeconds(3600));
    }

    private UsageQueries.UsageRange range(String tenant, Granularity g, Instant from, Instant to) {
        return queries.range(tenant, g, from.toEpochMilli(), to.toEpochMilli());
    }

    private double droppedRecords() {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("dropped-records-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    @Test
    void shouldCountEachOutcomePerTenantPerMinuteAndPerHour() {
        Instant t = NOON.plusSeconds(10);
        lookup("acme", LookupOutcome.hit, 100, t);
        lookup("acme", LookupOutcome.hit, 300, t);
        lookup("acme", LookupOutcome.hit, 200, t.plusSeconds(5));
        lookup("acme", LookupOutcome.miss, 50, t.plusSeconds(20));
        lookup("acme", LookupOutcome.miss, 60, t.plusSeconds(20));
        lookup("acme", LookupOutcome.not_ready, 1_000, t.plusSeconds(30));
        lookup("acme", LookupOutcome.error, 9_000, t.plusSeconds(70));
        lookup("globex", LookupOutcome.hit, 10, t);

        UsageQueries.UsageRange minutes = range("acme", Granularity.MINUTE, NOON, NOON.plusSeconds(3600));
        assertThat(minutes.windows()).hasSize(2);
        UsageQueries.WindowUsage first = minutes.windows().get(0);
        assertThat(first.start()).isEqualTo(NOON.toEpochMilli());
        assertThat(first.end()).isEqualTo(NOON.plusSeconds(60).toEpochMilli());
        assertThat(first.hits()).isEqualTo(3);
        assertThat(first.misses()).isEqualTo(2);
        assertThat(first.notReady()).isEqualTo(1);
        assertThat(first.errors()).isZero();
        assertThat(first.latencySumMicros()).isEqualTo(100 + 300 + 200 + 50 + 60 + 1_000);
        assertThat(first.latencyMaxMicros()).isEqualTo(1_000);
        UsageQueries.WindowUsage second = minutes.windows().get(1);
        assertThat(second.start()).isEqualTo(NOON.plusSeconds(60).toEpochMilli());
        assertThat(second.count()).isEqualTo(1);
        assertThat(second.errors()).isEqualTo(1);

        UsageQueries.UsageRange hours = range("acme", Granularity.HOUR, NOON, NOON.plusSeconds(3600));
        assertThat(hours.windows()).hasSize(1);
        assertThat(hours.total().count()).isEqualTo(7);
        assertThat(hours.total().hits()).isEqualTo(3);
        assertThat(hours.total().misses()).isEqualTo(2);
        assertThat(hours.total().notReady()).isEqualTo(1);
        assertThat(hours.total().errors()).isEqualTo(1);
        assertThat(hours.total().latencyMaxMicros()).isEqualTo(9_000);
        assertThat(minutes.total()).isEqualTo(hours.total());

        assertThat(range("globex", Granularity.HOUR, NOON, NOON.plusSeconds(3600)).total().count()).isEqualTo(1);
    }

    @Test
    void shouldEstimateP99WithinItsLatencyBucket() {
        Instant t = NOON.plusSeconds(1);
        for (int i = 0; i < 1_000; i++) {
            lookup("acme", LookupOutcome.hit, 100, t);
        }
        for (int i = 0; i < 10; i++) {
            lookup("acme", LookupOutcome.hit, 40_000, t);
            lookup("acme", LookupOutcome.hit, 50_000, t);
        }
        UsageQueries.UsageStats total = range("acme", Granularity.MINUTE, NOON, NOON.plusSeconds(60)).total();
        // 1,020 samples: the 1,010th smallest (the p99) is one of the 40,000 µs lookups.
        assertThat(total.latencyP99Micros()).isEqualTo(LatencyBuckets.upperBound(LatencyBuckets.indexOf(40_000)))
                .isBetween(40_000L, 50_000L);
        assertThat(total.latencyMaxMicros()).isEqualTo(50_000);
        assertThat(total.latencyAvgMicros()).isEqualTo((1_000L * 100 + 10L * 40_000 + 10L * 50_000) / 1_020);

        for (int i = 0; i < 1_000; i++) {
            lookup("acme", LookupOutcome.hit, 100, t);
        }
        // 2,020 samples: now the p99 falls among the fast ones, in the bucket holding 100 µs.
        long p99 = range("acme", Granularity.MINUTE, NOON, NOON.plusSeconds(60)).total().latencyP99Micros();
        assertThat(p99).isEqualTo(LatencyBuckets.upperBound(LatencyBuckets.indexOf(100))).isBetween(100L, 125L);
    }

    @Test
    void shouldCountLateEventsWithinGraceAndDropThemBeyondIt() {
        lookup("acme", LookupOutcome.hit, 1, NOON.plusSeconds(30));
        lookup("acme", LookupOutcome.hit, 1, NOON.plusSeconds(120));
        // Stream time is 12:02; the 12:00 minute closes at 12:01 + 2 min grace: still open.
        lookup("acme", LookupOutcome.miss, 1, NOON.plusSeconds(40));
        assertThat(droppedRecords()).isZero();

        lookup("acme", LookupOutcome.hit, 1, NOON.plusSeconds(300));
        // Stream time is 12:05: the 12:00 minute is closed, the 12:00 hour is not.
        lookup("acme", LookupOutcome.error, 1, NOON.plusSeconds(50));
        assertThat(droppedRecords()).isEqualTo(1);

        UsageQueries.WindowUsage noonMinute = range("acme", Granularity.MINUTE, NOON, NOON.plusSeconds(60)).windows().get(0);
        assertThat(noonMinute.count()).isEqualTo(2);
        assertThat(noonMinute.misses()).isEqualTo(1);
        assertThat(noonMinute.errors()).isZero();
        assertThat(range("acme", Granularity.HOUR, NOON, NOON.plusSeconds(3600)).total().count()).isEqualTo(5);

        lookup("acme", LookupOutcome.hit, 1, NOON.plusSeconds(3600 + 600));
        // Stream time 13:10: the 12:00 hour closed at 13:00 + 2 min, so this one is dropped everywhere.
        lookup("acme", LookupOutcome.hit, 1, NOON.plusSeconds(3599));
        assertThat(droppedRecords()).isEqualTo(3);
        assertThat(range("acme", Granularity.HOUR, NOON, NOON.plusSeconds(3600)).total().count()).isEqualTo(5);
    }

    @Test
    void shouldRankTopTenantsInOneWindowAndLimitTheAnswer() {
        Instant t = NOON.plusSeconds(90);
        for (int i = 0; i < 5; i++) {
            lookup("acme", LookupOutcome.hit, 1, t);
        }
        for (int i = 0; i < 3; i++) {
            lookup("globex", LookupOutcome.miss, 1, t);
        }
        lookup("initech", LookupOutcome.hit, 1, t);
        lookup("umbrella", LookupOutcome.hit, 1, NOON.plusSeconds(30));

        UsageQueries.TopTenants top = queries.top(Granularity.MINUTE, t.toEpochMilli(), 2);
        assertThat(top.windowStart()).isEqualTo(NOON.plusSeconds(60).toEpochMilli());
        assertThat(top.tenants()).extracting(UsageQueries.TenantUsage::tenantId).containsExactly("acme", "globex");
        assertThat(top.tenants().get(1).misses()).isEqualTo(3);

        UsageQueries.TopTenants hour = queries.top(Granularity.HOUR, t.toEpochMilli(), 10);
        assertThat(hour.tenants()).extracting(UsageQueries.TenantUsage::tenantId)
                .containsExactly("acme", "globex", "initech", "umbrella");
    }

    @Test
    void shouldAnswerUnknownTenantsWithAnEmptyResultAndRejectBadRanges() {
        lookup("acme", LookupOutcome.hit, 1, NOON);
        UsageQueries.UsageRange none = range("nobody", Granularity.MINUTE, NOON, NOON.plusSeconds(600));
        assertThat(none.windows()).isEmpty();
        assertThat(none.total().count()).isZero();

        assertThatThrownBy(() -> range("acme", Granularity.MINUTE, NOON, NOON))
                .isInstanceOfSatisfying(TenantIndexException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.BAD_REQUEST));
        assertThatThrownBy(() -> range("acme", Granularity.MINUTE, NOON, NOON.plus(Duration.ofDays(8))))
                .isInstanceOfSatisfying(TenantIndexException.class, e -> assertThat(e.getMessage()).contains("at most"));
        assertThat(range("acme", Granularity.HOUR, NOON, NOON.plus(Duration.ofDays(8))).total().count()).isEqualTo(1);
        assertThatThrownBy(() -> queries.top(Granularity.HOUR, NOON.toEpochMilli(), 0))
                .isInstanceOf(TenantIndexException.class);
    }
}
