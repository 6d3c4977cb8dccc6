package io.tenantindex.colo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poison check for records that reached the store by {@link BulkRestore} instead of through
 * the topology: reads those offset ranges once more with a plain read_committed consumer, decodes
 * every value and counts, logs and dead-letters each undecodable one exactly as
 * {@link ApplyProcessor} would. It runs in the background once the replica is ready; meanwhile a
 * lookup of such a record already answers with an error, because the store decodes on read.
 */
final class PoisonScan implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PoisonScan.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final long REGISTRY_RETRY_MS = 1_000;

    private final MaterializerConfig config;
    private final Map<Integer, Long> ends;
    private final Deserializer<IndexRecord> values;
    private final PoisonRecords poison;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean closed;

    PoisonScan(MaterializerConfig config, Map<Integer, Long> ends, Deserializer<IndexRecord> values, PoisonRecords poison) {
        this.config = config;
        this.ends = Map.copyOf(ends);
        this.values = values;
        this.poison = poison;
    }

    @Override
    public void run() {
        long started = System.nanoTime();
        long checked = 0;
        long before = poison.count();
        Properties consumerProps = config.kafka().clientProperties();
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-poison-scan");
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        Properties producerProps = config.kafka().clientProperties();
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-poison-scan");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> dlq = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer())) {
            this.consumer = consumer;
            List<TopicPartition> remaining = new ArrayList<>();
            ends.keySet().forEach(p -> remaining.add(new TopicPartition(config.indexTopic(), p)));
            consumer.assign(remaining);
            consumer.seekToBeginning(remaining);
            while (!remaining.isEmpty() && !closed) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    if (r.offset() < ends.get(r.partition())) {
                        checked++;
                        check(r, dlq);
                    }
                }
                remaining.removeIf(tp -> consumer.position(tp) >= ends.get(tp.partition()));
                consumer.pause(consumer.assignment().stream().filter(tp -> !remaining.contains(tp)).toList());
            }
            dlq.flush();
            if (closed) {
                throw new WakeupException();
            }
            LOG.info("colo {}: checked {} bulk-restored records for poison in {} ms: {} undecodable", config.colo(), checked,
                    (System.nanoTime() - started) / 1_000_000, poison.count() - before);
        } catch (WakeupException e) {
            // Not repeated at the next start (the group has offsets by then); such records still answer lookups with an error.
            LOG.warn("colo {}: poison check of bulk-restored records stopped by shutdown after {} records", config.colo(), checked);
        } catch (RuntimeException e) {
            LOG.error("colo {}: poison check of bulk-restored records failed after {} records", config.colo(), checked, e);
        }
    }

    private void check(ConsumerRecord<String, byte[]> r, KafkaProducer<String, byte[]> dlq) {
        IndexRecord value = decode(r);
        if (value != null && value.isPoison()) {
            poison.record(r.topic(), r.partition(), r.offset(), r.key(), value.error(), config.dlqTopic());
            dlq.send(new ProducerRecord<>(config.dlqTopic(), null, r.timestamp(), r.key(), r.value(),
                    DeadLetterTopic.headers(r.headers(), value.error(), r.topic(), r.partition(), r.offset(), config.colo())));
        }
    }

    /** The value's IndexRecord; a registry outage (the one failure that is not poison) is waited out. */
    private IndexRecord decode(ConsumerRecord<String, byte[]> r) {
        while (true) {
            try {
                return values.deserialize(r.topic(), r.headers(), r.value());
            } catch (SerializationException transientFailure) {
                if (closed) {
                    throw new WakeupException();
                }
                LOG.warn("colo {}: poison check waits for the schema registry: {}", config.colo(), transientFailure.getMessage());
                try {
                    Thread.sleep(REGISTRY_RETRY_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new WakeupException();
                }
            }
        }
    }

    /** Stops a scan in progress (from any thread). */
    void close() {
        closed = true;
        KafkaConsumer<String, byte[]> running = consumer;
        if (running != null) {
            running.wakeup();
        }
    }
}
