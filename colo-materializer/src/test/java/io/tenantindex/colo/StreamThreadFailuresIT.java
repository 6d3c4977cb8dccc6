package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.testing.SharedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Test;

/**
 * A real Kafka Streams app on the shared broker whose stream thread dies on every attempt at one
 * record (never committed, so each replacement thread meets it again), with
 * {@link StreamThreadFailures} as its handler: the replacements come at once, then 1, 2 and 4 s
 * later. A replacement is timed from the failure to the moment the new stream thread creates its
 * consumer, so the group's rebalance before the next attempt does not blur the measurement.
 */
class StreamThreadFailuresIT {
    /** The wait before each replacement after the first, second, third and fourth failure in a row. */
    private static final long[] EXPECTED_WAIT_SECONDS = {0, 1, 2, 4};
    /** Allowance on top of each wait for Kafka Streams to build the replacement thread. */
    private static final Duration REPLACEMENT_SLACK = Duration.ofMillis(900);

    @Test
    void shouldDelayEachReplacementOfAStreamThreadThatKeepsFailingByTheGrowingBackoff() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        String topic = SharedKafka.uniqueName("failing-thread");
        try (Admin admin = Admin.create(KafkaSettings.of(bootstrap).clientProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(KafkaSettings.of(bootstrap).clientProperties(),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "poison", "fails every stream thread")).get();
        }

        List<Long> failed = new CopyOnWriteArrayList<>();
        List<Long> threadsStarted = new CopyOnWriteArrayList<>();
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topic, Consumed.with(Serdes.String(), Serdes.String())).foreach((key, value) -> {
            failed.add(System.nanoTime());
            throw new IllegalStateException("injected stream-thread failure " + failed.size());
        });
        Path stateDir = SharedKafka.tempDir("failing-thread-state");
        Properties props = KafkaSettings.of(bootstrap).clientProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, SharedKafka.uniqueName("failing-thread"));
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // The dead thread's consumer stays in the group until its session expires: keep that short.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        StreamThreadFailures failures = new StreamThreadFailures("ORD", stateDir, System::nanoTime, thread -> { });
        KafkaStreams streams = new KafkaStreams(builder.build(), props, new TimedClients(threadsStarted));
        streams.setUncaughtExceptionHandler(failures);
        streams.start();
        try {
            // The injected failures are handled by Kafka Streams, not uncaught: Awaitility must not fail on them.
            await().atMost(Duration.ofSeconds(120)).dontCatchUncaughtExceptions()
                    .until(() -> threadsStarted.size() > EXPECTED_WAIT_SECONDS.length);
        } finally {
            failures.close();
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
        }

        // threadsStarted.get(0) is the first thread; replacement n follows failure n.
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < EXPECTED_WAIT_SECONDS.length; i++) {
            delays.add(Duration.ofNanos(threadsStarted.get(i + 1) - failed.get(i)));
        }
        for (int i = 0; i < EXPECTED_WAIT_SECONDS.length; i++) {
            Duration wait = Duration.ofSeconds(EXPECTED_WAIT_SECONDS[i]);
            assertThat(delays.get(i)).as("from failure %d to its replacement thread (all: %s)", i + 1, delays)
                    .isBetween(wait, wait.plus(REPLACEMENT_SLACK));
        }
    }

    /** Kafka Streams' usual clients, noting when each stream thread creates its main consumer. */
    private record TimedClients(List<Long> threadsStarted) implements KafkaClientSupplier {
        @Override
        public Admin getAdmin(Map<String, Object> config) {
            return Admin.create(config);
        }

        @Override
        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
            return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
            threadsStarted.add(System.nanoTime());
            return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
            return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
            return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
    }
}
