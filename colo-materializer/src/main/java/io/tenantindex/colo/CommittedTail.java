package io.tenantindex.colo;

import io.tenantindex.common.kafka.KafkaSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Finds, for each partition, the offset of the last committed record below a given end offset.
 *
 * <p>Why: the end offset (last stable offset) of a transactionally written topic points past a
 * commit marker, and aborted records can sit below it; neither is ever "applied". Readiness
 * ("caught up with the end offsets seen at start") therefore waits for the last committed record
 * below that end, which this finds by reading a short tail of each partition read_committed,
 * widening the window only if the tail holds no committed record.
 */
final class CommittedTail {
    private static final long FIRST_WINDOW = 64;

    private CommittedTail() {
    }

    /** partition → offset of the last committed record below {@code ends}, -1 if there is none. */
    static Map<Integer, Long> lastCommittedRecords(KafkaSettings kafka, Map<TopicPartition, Long> ends, Duration timeout)
            throws TimeoutException {
        var props = kafka.clientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, Long> result = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            // Assigned first: a read_committed offset lookup also updates the partitions' stable offsets,
            // and the consumer warns about every partition it is not assigned.
            consumer.assign(ends.keySet());
            Map<TopicPartition, Long> begins = consumer.beginningOffsets(ends.keySet(), timeout);
            Set<TopicPartition> pending = new HashSet<>();
            ends.forEach((tp, end) -> {
                if (end > begins.get(tp)) {
                    pending.add(tp);
                } else {
                    result.put(tp.partition(), -1L);
                }
            });
            long window = FIRST_WINDOW;
            while (!pending.isEmpty()) {
                consumer.assign(pending);
                Map<TopicPartition, Long> from = new HashMap<>();
                for (TopicPartition tp : pending) {
                    long start = Math.max(begins.get(tp), ends.get(tp) - window);
                    from.put(tp, start);
                    consumer.seek(tp, start);
                }
                Map<TopicPartition, Long> found = new HashMap<>();
                Set<TopicPartition> reading = new HashSet<>(pending);
                while (!reading.isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new TimeoutException("reading the committed tail of " + reading + " took longer than " + timeout);
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        if (r.offset() < ends.get(tp)) {
                            found.merge(tp, r.offset(), Math::max);
                        }
                    }
                    reading.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
                }
                for (TopicPartition tp : Set.copyOf(pending)) {
                    if (found.containsKey(tp)) {
                        result.put(tp.partition(), found.get(tp));
                        pending.remove(tp);
                    } else if (from.get(tp).equals(begins.get(tp))) {
                        result.put(tp.partition(), -1L);
                        pending.remove(tp);
                    }
                }
                window *= 16;
            }
        }
        return result;
    }
}
