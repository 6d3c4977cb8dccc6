package io.tenantindex.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.DaemonThreads;
import io.tenantindex.common.Json;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.common.kafka.TopicSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded registry's durable state: every registration, delete, config and mode change is a JSON record (a permanent delete a tombstone) on
 * the compacted, single-partition {@code _schemas} topic. Each registry instance replays it at start
 * and tails it afterwards, so a restart, or a second instance, sees the same ids.
 *
 * <p>The tailer must outlive any failure: every registration waits for it. A record it cannot apply
 * is logged and skipped; a failing poll (Kafka away, say) is logged and retried with backoff.
 */
final class SchemaLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaLog.class);
    private static final Duration APPEND_TIMEOUT = Duration.ofSeconds(30);
    private static final long POLL_BACKOFF_MS = 100;
    private static final long POLL_BACKOFF_MAX_MS = 5_000;

    private final TopicPartition partition;
    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;
    private final Thread tailer;
    private final BiConsumer<String, JsonNode> apply;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile long applied = 0;

    SchemaLog(KafkaSettings kafka, TopicSpec spec, BiConsumer<String, JsonNode> apply) {
        this.partition = new TopicPartition(spec.name(), 0);
        this.apply = apply;
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(spec));
        }
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        Properties c = kafka.clientProperties();
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        try {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                pollOnce();
            }
        } catch (RuntimeException e) {
            consumer.close();
            producer.close();
            throw e;
        }
        tailer = DaemonThreads.newThread("schema-log-tailer", this::tail);
        tailer.start();
    }

    /**
     * Appends an event and returns once this instance has applied it, so the caller's next read sees
     * it (and sees any event another instance appended before it, in log order).
     */
    void append(SchemaEvents.Entry entry) {
        long offset;
        String value = entry.value() == null ? null : entry.value().toString();
        try {
            offset = producer.send(new ProducerRecord<>(partition.topic(), 0, entry.key(), value))
                    .get(APPEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).offset();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + partition.topic() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no acknowledgement from Kafka for " + partition.topic() + " within " + APPEND_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing the schema log", e);
        }
        long deadline = System.nanoTime() + APPEND_TIMEOUT.toNanos();
        synchronized (this) {
            while (applied <= offset) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !tailer.isAlive()) {
                    throw new IllegalStateException("the schema log tailer has not applied " + partition + "@" + offset
                            + (tailer.isAlive() ? " within " + APPEND_TIMEOUT : ": it has stopped"));
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for the schema log", e);
                }
            }
        }
    }

    private void tail() {
        long backoffMs = POLL_BACKOFF_MS;
        while (closing.getCount() > 0) {
            try {
                pollOnce();
                backoffMs = POLL_BACKOFF_MS;
            } catch (WakeupException e) {
                // close() asked us to stop: the loop condition ends it.
            } catch (RuntimeException e) {
                LOG.error("polling {} failed; retrying in {} ms", partition, backoffMs, e);
                try {
                    closing.await(backoffMs, TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoffMs = Math.min(2 * backoffMs, POLL_BACKOFF_MAX_MS);
            }
        }
    }

    private void pollOnce() {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
            try {
                apply.accept(record.key(), record.value() == null ? null : Json.MAPPER.readTree(record.value()));
            } catch (IOException | RuntimeException e) {
                // Not ours (another tool's record), or one this version cannot apply: skipping it
                // keeps the registry serving every schema after it.
                LOG.error("skipping a record at {}@{} that cannot be applied", partition, record.offset(), e);
            }
        }
        synchronized (this) {
            applied = consumer.position(partition);
            notifyAll();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        consumer.wakeup();
        try {
            tailer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
        producer.close();
    }
}
