package io.tenantindex.lookup.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.schemas.LookupOutcome;
import io.tenantindex.schemas.UsageEvent;
import io.tenantindex.schemas.registry.RegistryClientConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaUsageEmitterTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static final RegistryClientConfig UNREACHABLE_REGISTRY = RegistryClientConfig.from(Settings.of(Map.of(
            ConfigKeys.REGISTRY_URL, "http://127.0.0.1:1", ConfigKeys.REGISTRY_AUTO_REGISTER, "true")));

    private static UsageEmitterConfig config(int bufferSize, Duration closeTimeout) {
        return new UsageEmitterConfig(KafkaSettings.of("127.0.0.1:1"), TopicsConfig.from(Settings.empty()), "ORD",
                UNREACHABLE_REGISTRY, bufferSize, Duration.ofMillis(5), Duration.ofSeconds(1), closeTimeout);
    }

    private static MockProducer<String, UsageEvent> mockProducer() {
        return new MockProducer<>(true, null, new StringSerializer(), (topic, event) -> new byte[0]);
    }

    /** Stands in for a KafkaProducer whose send() blocks because Kafka is unreachable. */
    private static final class StuckProducer extends MockProducer<String, UsageEvent> {
        final CountDownLatch unblock = new CountDownLatch(1);

        StuckProducer() {
            super(true, null, new StringSerializer(), (topic, event) -> new byte[0]);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<String, UsageEvent> record, Callback callback) {
            try {
                unblock.await();
            } catch (InterruptedException e) {
                throw new InterruptException(e);
            }
            return super.send(record, callback);
        }
    }

    @Test
    void shouldSendOneEventPerLookupKeyedByTenantWithColoAndTimestamp() {
        MockProducer<String, UsageEvent> producer = mockProducer();
        try (KafkaUsageEmitter emitter = new KafkaUsageEmitter(config(100, Duration.ofSeconds(5)), producer, CLOCK)) {
            emitter.record("acme", LookupOutcome.hit, 42, "req-1");
            emitter.record("globex", LookupOutcome.miss, 7, "req-2");
            await().atMost(Duration.ofSeconds(10)).until(() -> emitter.emitted() == 2);
        }
        assertThat(producer.history()).hasSize(2);
        ProducerRecord<String, UsageEvent> first = producer.history().get(0);
        assertThat(first.topic()).isEqualTo(TopicsConfig.DEFAULT_USAGE_TOPIC);
        assertThat(first.key()).isEqualTo("acme");
        assertThat(first.timestamp()).isEqualTo(NOW.toEpochMilli());
        assertThat(first.value()).isEqualTo(UsageEvent.newBuilder().setTenantId("acme").setColo("ORD")
                .setOutcome(LookupOutcome.hit).setLatencyMicros(42).setTimestamp(NOW.toEpochMilli()).setRequestId("req-1").build());
        assertThat(producer.history().get(1).value().getOutcome()).isEqualTo(LookupOutcome.miss);
    }

    @Test
    void shouldNeverBlockAndCountDropsWhenTheBufferIsFull() {
        StuckProducer producer = new StuckProducer();
        int lookups = 10_000;
        int bufferSize = 16;
        try (KafkaUsageEmitter emitter = new KafkaUsageEmitter(config(bufferSize, Duration.ofSeconds(5)), producer, CLOCK)) {
            // If record() waited for buffer space, this would hang on the stuck producer and time out.
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                for (int i = 0; i < lookups; i++) {
                    emitter.record("tenant-" + (i % 50), LookupOutcome.hit, i, "req-" + i);
                }
            });
            // At most one batch (one event plus a drained full buffer) is with the drainer, one buffer queued.
            assertThat(emitter.dropped()).isGreaterThanOrEqualTo(lookups - 1 - 2L * bufferSize);
            assertThat(emitter.buffered()).isLessThanOrEqualTo(bufferSize);

            producer.unblock.countDown();
            // Every lookup is accounted for: sent once Kafka is back, or counted as dropped.
            await().atMost(Duration.ofSeconds(10)).until(() -> emitter.emitted() + emitter.dropped() == lookups);
            assertThat(emitter.failed()).isZero();
            assertThat(emitter.emitted()).isPositive().isLessThanOrEqualTo(1 + 2L * bufferSize);
        }
    }

    @Test
    void shouldCountFailedSendsWithoutFailingTheLookup() {
        MockProducer<String, UsageEvent> producer = new MockProducer<>(true, null, new StringSerializer(), (topic, event) -> {
            throw new SerializationException("schema registry unreachable");
        });
        try (KafkaUsageEmitter emitter = new KafkaUsageEmitter(config(100, Duration.ofSeconds(5)), producer, CLOCK)) {
            for (int i = 0; i < 20; i++) {
                emitter.record("acme", LookupOutcome.error, 1, "req-" + i);
            }
            emitter.record(null, LookupOutcome.hit, 1, "req-null");
            await().atMost(Duration.ofSeconds(10)).until(() -> emitter.failed() == 21);
            assertThat(emitter.emitted()).isZero();
            assertThat(emitter.dropped()).isZero();
        }
    }

    @Test
    void shouldFlushWhatIsBufferedOnClose() {
        MockProducer<String, UsageEvent> producer = mockProducer();
        KafkaUsageEmitter emitter = new KafkaUsageEmitter(config(10_000, Duration.ofSeconds(5)), producer, CLOCK);
        for (int i = 0; i < 5_000; i++) {
            emitter.record("acme", LookupOutcome.hit, i, "req-" + i);
        }
        emitter.close();
        assertThat(emitter.emitted()).isEqualTo(5_000);
        assertThat(producer.history()).hasSize(5_000);
        assertThat(producer.closed()).isTrue();

        emitter.record("acme", LookupOutcome.hit, 1, "after-close");
        assertThat(emitter.dropped()).isEqualTo(1);
    }

    @Test
    void shouldStartAndAcceptLookupsWithARealProducerWhenKafkaIsUnreachable() {
        UsageEmitterConfig unreachable = new UsageEmitterConfig(KafkaSettings.of("127.0.0.1:1"),
                TopicsConfig.from(Settings.empty()), "ORD", UNREACHABLE_REGISTRY, 100,
                Duration.ofMillis(5), Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            KafkaUsageEmitter emitter = KafkaUsageEmitter.start(unreachable);
            for (int i = 0; i < 1_000; i++) {
                emitter.record("acme", LookupOutcome.hit, i, "req-" + i);
            }
            emitter.close();
            assertThat(emitter.emitted()).isZero();
            assertThat(emitter.dropped() + emitter.failed()).isEqualTo(1_000);
            assertThat(emitter.dropped()).isPositive();
        });
    }

    @Test
    void shouldCloseWithinItsTimeoutWhenKafkaIsUnreachable() {
        StuckProducer producer = new StuckProducer();
        KafkaUsageEmitter emitter = new KafkaUsageEmitter(config(100, Duration.ofMillis(500)), producer, CLOCK);
        for (int i = 0; i < 10; i++) {
            emitter.record("acme", LookupOutcome.hit, i, "req-" + i);
        }
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> emitter.close());
        // Nothing reached Kafka, and nothing vanished: the interrupted send failed, the rest were dropped.
        assertThat(emitter.emitted()).isZero();
        assertThat(emitter.dropped() + emitter.failed()).isEqualTo(10);
        assertThat(producer.history()).isEmpty();
    }
}
