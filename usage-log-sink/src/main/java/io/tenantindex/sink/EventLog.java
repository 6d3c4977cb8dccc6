package io.tenantindex.sink;

import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.UsageEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pages through one tenant's raw usage events by reading the usage topic itself: the tenant's
 * events all live on one partition (key = tenant id), so a page is a seek to an offset (from the
 * cursor, or {@code offsetsForTimes} for {@code from}) and a forward scan that keeps the tenant's
 * records. Nothing is copied out of Kafka: memory is a few group-less consumers (bounded fetch
 * sizes) and one page. A scan examines at most {@code maxScan} records and runs at most
 * {@link #MAX_READ_TIME}, so a page may hold fewer than {@code limit} events and still have a
 * {@code nextCursor}; {@code nextCursor} is null only once the read reached the end of the log.
 * An undecodable event is skipped and counted in the page; while the schema registry cannot give an
 * event's schema the page is a 503, so a good event is never reported as skipped.
 */
public final class EventLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    public static final int MAX_LIMIT = 1000;
    static final Duration MAX_READ_TIME = Duration.ofSeconds(5);
    private static final Duration BORROW_WAIT = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaSettings kafka;
    private final String topic;
    private final Deserializer<UsageEvent> deserializer;
    private final int maxScan;
    private final int maxReaders;
    private final BlockingQueue<Consumer<byte[], byte[]>> idle;
    private final AtomicInteger created = new AtomicInteger();
    private volatile boolean closed;

    public EventLog(KafkaSettings kafka, String topic, Deserializer<UsageEvent> deserializer, int maxScan, int maxReaders) {
        this.kafka = kafka;
        this.topic = topic;
        this.deserializer = deserializer;
        this.maxScan = maxScan;
        this.maxReaders = maxReaders;
        this.idle = new ArrayBlockingQueue<>(maxReaders);
    }

    /** One page; {@code cursor} (if given) wins over {@code fromMs}. */
    public EventPage read(String tenantId, Long fromMs, EventCursor cursor, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw TenantIndexException.badRequest("limit must be between 1 and " + MAX_LIMIT);
        }
        Consumer<byte[], byte[]> consumer = borrow();
        boolean healthy = false;
        try {
            EventPage page = read(consumer, tenantId, fromMs, cursor, limit);
            healthy = true;
            return page;
        } catch (TenantIndexException e) {
            // A rejected request (bad cursor, missing topic) leaves the reader as good as it was.
            healthy = true;
            throw e;
        } catch (TimeoutException e) {
            throw TenantIndexException.notReady("Kafka did not answer in time: " + e.getMessage(), Duration.ofSeconds(5));
        } finally {
            giveBack(consumer, healthy);
        }
    }

    private EventPage read(Consumer<byte[], byte[]> consumer, String tenantId, Long fromMs, EventCursor cursor, int limit) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic);
        if (partitions == null || partitions.isEmpty()) {
            throw TenantIndexException.notReady("usage topic " + topic + " does not exist yet", Duration.ofSeconds(1));
        }
        TopicPartition tp = new TopicPartition(topic, IndexPartitioner.partitionFor(tenantId, partitions.size()));
        if (cursor != null && cursor.partition() != tp.partition()) {
            throw TenantIndexException.badRequest("cursor does not match this tenant's partition");
        }
        List<TopicPartition> assignment = List.of(tp);
        consumer.assign(assignment);
        long begin = consumer.beginningOffsets(assignment).get(tp);
        // Under read_committed this is the last stable offset: the end of what may be read now.
        long end = consumer.endOffsets(assignment).get(tp);
        long start;
        if (cursor != null) {
            if (cursor.offset() > end) {
                throw TenantIndexException.badRequest("cursor points past the end of the log");
            }
            // Events older than the topic's retention are gone; continue with the oldest that is left.
            start = Math.max(cursor.offset(), begin);
        } else if (fromMs != null) {
            OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, fromMs)).get(tp);
            start = found == null ? end : found.offset();
        } else {
            start = begin;
        }
        consumer.seek(tp, start);

        byte[] key = tenantId.getBytes(StandardCharsets.UTF_8);
        List<EventView> events = new ArrayList<>(Math.min(limit, 64));
        int scanned = 0;
        int skipped = 0;
        long next = start;
        long deadline = System.nanoTime() + MAX_READ_TIME.toNanos();
        scan:
        while (next < end && System.nanoTime() < deadline) {
            List<ConsumerRecord<byte[], byte[]>> batch = consumer.poll(POLL).records(tp);
            if (batch.isEmpty()) {
                // Nothing returned: every fetched record was consumed, so the position is exact
                // (it also steps over offsets that hold no record, such as transaction markers).
                next = Math.max(next, consumer.position(tp));
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> record : batch) {
                if (record.offset() >= end) {
                    next = end;
                    break scan;
                }
                next = record.offset() + 1;
                scanned++;
                if (Arrays.equals(record.key(), key)) {
                    try {
                        events.add(EventView.of(record.partition(), record.offset(), deserializer.deserialize(topic, record.value())));
                    } catch (SerializationException e) {
                        if (RetryingEventDeserializer.registryUnavailable(e)) {
                            throw TenantIndexException.notReady("the schema registry is unavailable: " + e.getMessage(),
                                    Duration.ofSeconds(5));
                        }
                        skipped++;
                        LOG.warn("skipping undecodable usage event at {}:{}: {}", tp, record.offset(), e.getMessage());
                    }
                }
                if (events.size() >= limit || scanned >= maxScan) {
                    break scan;
                }
            }
        }
        String nextCursor = next >= end ? null : new EventCursor(tenantId, tp.partition(), next).encode();
        return new EventPage(tenantId, events, skipped, nextCursor);
    }

    private Consumer<byte[], byte[]> borrow() {
        if (closed) {
            throw TenantIndexException.notReady("usage sink is shutting down", Duration.ofSeconds(1));
        }
        Consumer<byte[], byte[]> consumer = idle.poll();
        if (consumer != null) {
            return consumer;
        }
        if (created.incrementAndGet() <= maxReaders) {
            return newConsumer();
        }
        created.decrementAndGet();
        try {
            consumer = idle.poll(BORROW_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TenantIndexException.notReady("interrupted waiting for an event reader", Duration.ofSeconds(1));
        }
        if (consumer == null) {
            throw TenantIndexException.notReady("all " + maxReaders + " event readers are busy", Duration.ofSeconds(1));
        }
        return consumer;
    }

    private void giveBack(Consumer<byte[], byte[]> consumer, boolean healthy) {
        // A reader that failed mid-read may be in any state: close it rather than reuse it.
        if (!healthy || closed || !idle.offer(consumer)) {
            created.decrementAndGet();
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        }
    }

    private Consumer<byte[], byte[]> newConsumer() {
        Properties props = kafka.clientProperties();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "usage-sink-events-" + created.get());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        // Bound what one reader may buffer: one partition at a time, at most 1 MiB per fetch.
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1 << 20);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 2 << 20);
        // A reader left at the end of the log has a long-poll fetch in flight that the next page
        // (after a seek) must wait out: keep that wait short.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void close() {
        closed = true;
        Consumer<byte[], byte[]> consumer;
        while ((consumer = idle.poll()) != null) {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        }
    }

    /** One raw event as the API shows it, with where it lives in the log. */
    public record EventView(int partition, long offset, String tenantId, String colo, String outcome,
            long latencyMicros, long timestamp, String requestId) {
        static EventView of(int partition, long offset, UsageEvent e) {
            return new EventView(partition, offset, e.getTenantId(), e.getColo(), e.getOutcome().name(),
                    e.getLatencyMicros(), e.getTimestamp(), e.getRequestId());
        }
    }

    /** The answer of {@code GET /usage/{tenantId}/events}. */
    public record EventPage(String tenantId, List<EventView> events, int skipped, String nextCursor) {
    }
}
