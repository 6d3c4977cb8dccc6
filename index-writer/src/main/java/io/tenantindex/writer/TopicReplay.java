package io.tenantindex.writer;

import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.VersionHeader;
import io.tenantindex.schemas.TenantRegistration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a {@link TenantView} up to the committed end of the topic, from wherever the view stands
 * (the beginning at start; the last known position after an uncertain transaction outcome or when a
 * standby is promoted), and lets a standby tail the topic between catch-ups. Reads
 * {@code read_committed}, so aborted or zombie writes are never counted. One consumer, kept open and
 * used only by the thread that owns the view; every read starts at the view's own position.
 */
final class TopicReplay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicReplay.class);
    /** Header that carries the version on every record, so tombstones remember where a tenant's sequence ended. */
    static final String VERSION_HEADER = VersionHeader.NAME;

    private final KafkaSettings kafka;
    private final String topic;
    private final Deserializer<TenantRegistration> values;
    private KafkaConsumer<String, byte[]> consumer;
    private List<TopicPartition> partitions;

    TopicReplay(KafkaSettings kafka, String topic, Deserializer<TenantRegistration> values) {
        this.kafka = kafka;
        this.topic = topic;
        this.values = values;
    }

    /** Reads to the committed end of every partition; returns the number of records applied. */
    long catchUp(TenantView view) {
        long started = System.nanoTime();
        seekTo(view);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long applied = 0;
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            applied += pollOnce(view, Duration.ofMillis(200));
        }
        LOG.info("replayed {} records of {} in {} ms; {} tenants registered", applied, topic,
                Duration.ofNanos(System.nanoTime() - started).toMillis(), view.size());
        return applied;
    }

    /** One poll from the view's position (a standby's tailing); returns the number of records applied. */
    long tail(TenantView view, Duration timeout) {
        seekTo(view);
        return pollOnce(view, timeout);
    }

    private void seekTo(TenantView view) {
        if (consumer == null) {
            Properties p = kafka.clientProperties();
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
            p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));
            p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024));
            consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
            partitions = new ArrayList<>();
            for (int i = 0; i < view.partitions(); i++) {
                partitions.add(new TopicPartition(topic, i));
            }
            consumer.assign(partitions);
            partitions.forEach(tp -> consumer.seek(tp, view.nextOffset(tp.partition())));
        }
        // While this writer was active its own commits moved the view past the consumer.
        for (TopicPartition tp : partitions) {
            long next = view.nextOffset(tp.partition());
            if (consumer.position(tp) != next) {
                consumer.seek(tp, next);
            }
        }
    }

    private long pollOnce(TenantView view, Duration timeout) {
        long applied = 0;
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            try {
                TenantRegistration value = values.deserialize(topic, r.value());
                view.apply(r.key(), value, r.value(), VersionHeader.of(r.headers()), r.partition(), r.offset());
                applied++;
            } catch (SerializationException e) {
                LOG.error("skipping unreadable record at {}-{}@{}: {}", topic, r.partition(), r.offset(), e.getMessage());
                view.advanceTo(r.partition(), r.offset() + 1);
            }
        }
        partitions.forEach(tp -> view.advanceTo(tp.partition(), consumer.position(tp)));
        return applied;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }

    void close(Duration within) {
        if (consumer != null) {
            consumer.close(within);
        }
    }
}
