package io.tenantindex.common.feed;

import io.tenantindex.common.DaemonThreads;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The changes a {@link ChangeRing} no longer holds (or never held: they were restored, or came
 * before this process started), read back from the index topic with a plain read_committed
 * consumer (assign + seek, no group) on one thread of its own, so no request thread waits on Kafka.
 *
 * <p>Replaying from a position is only safe while no delete after it can have lost its tombstone
 * to compaction. A tombstone stays at least {@code delete.retention.ms} after it was written, and
 * the writer's timestamps grow with its offsets, so the replay is allowed when the last record the
 * topic still has at or just before the position was written within half that retention (the
 * margin the colos use for their own state, see their startup check); else it is 410 CHANGES_GONE.
 */
public final class TopicHistory implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long one read may take before it answers with what it has (the caller asks again). */
    private static final long READ_BUDGET_NANOS = Duration.ofSeconds(5).toNanos();
    /** A position may name a transaction marker: the records just before it bound what follows. */
    private static final int LOOK_BACK = 2;

    private final String topic;
    private final Function<ConsumerRecord<String, byte[]>, Change> decoder;
    private final LongSupplier deleteRetentionMs;
    private final LongSupplier wallClock;
    private final KafkaConsumer<String, byte[]> consumer;
    private final ExecutorService thread;

    /**
     * @param decoder           a record as a change; null for one that is not (an undecodable record)
     * @param deleteRetentionMs the topic's effective {@code delete.retention.ms}, asked on every replay
     */
    public TopicHistory(Properties kafkaClient, String topic, Function<ConsumerRecord<String, byte[]>, Change> decoder,
                        LongSupplier deleteRetentionMs, LongSupplier wallClock) {
        this.topic = topic;
        this.decoder = decoder;
        this.deleteRetentionMs = deleteRetentionMs;
        this.wallClock = wallClock;
        Properties props = new Properties();
        props.putAll(kafkaClient);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = Executors.newSingleThreadExecutor(DaemonThreads.factory("change-feed-history"));
    }

    /**
     * The changes after {@code from} of every partition where it is before {@code until} (the
     * offset from which the ring takes over), up to {@code until} and at most about {@code max};
     * fails with CHANGES_GONE when one of those partitions cannot be replayed safely from there.
     */
    CompletableFuture<Replay> read(FeedPosition from, long[] until, int max) {
        FeedPosition start = from.copy();
        long[] bound = until.clone();
        return CompletableFuture.supplyAsync(() -> replay(start, bound, max), thread);
    }

    private Replay replay(FeedPosition from, long[] until, int max) {
        long retention = deleteRetentionMs.getAsLong();
        long deadline = System.nanoTime() + READ_BUDGET_NANOS;
        List<Change> changes = new ArrayList<>();
        long[] readThrough = new long[from.partitions()];
        for (int p = 0; p < from.partitions(); p++) {
            readThrough[p] = from.offset(p);
            if (from.offset(p) >= until[p]) {
                continue;
            }
            TopicPartition tp = new TopicPartition(topic, p);
            consumer.assign(List.of(tp));
            // Checked for every partition to replay, also those this read has no room for: a resume is refused at once.
            if (from.offset(p) >= 0) {
                requireTombstonesKept(tp, from.offset(p), retention);
            }
            if (changes.size() >= max || System.nanoTime() > deadline) {
                continue;
            }
            consumer.seek(tp, from.offset(p) + 1);
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (changes.size() < max && System.nanoTime() < deadline) {
                long next = consumer.position(tp);
                if (next > until[p] || next >= end) {
                    break;
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL).records(tp)) {
                    if (r.offset() > until[p]) {
                        break;
                    }
                    Change c = decoder.apply(r);
                    if (c != null) {
                        changes.add(c);
                    }
                    readThrough[p] = r.offset();
                }
            }
            // Past markers and aborted records too: what the consumer moved over holds no change.
            readThrough[p] = Math.max(readThrough[p], Math.min(consumer.position(tp), Math.min(end, until[p] + 1)) - 1);
        }
        return new Replay(changes, readThrough);
    }

    /** CHANGES_GONE unless the record at or just before {@code offset} was written within half the retention. */
    private void requireTombstonesKept(TopicPartition tp, long offset, long retentionMs) {
        consumer.seek(tp, Math.max(0, offset - LOOK_BACK));
        long writtenAt = -1;
        long deadline = System.nanoTime() + READ_BUDGET_NANOS;
        while (writtenAt < 0 && consumer.position(tp) <= offset && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL).records(tp)) {
                if (r.offset() <= offset) {
                    writtenAt = Math.max(writtenAt, r.timestamp());
                }
            }
        }
        long age = wallClock.getAsLong() - writtenAt;
        if (writtenAt < 0 || age > retentionMs / 2) {
            throw new TenantIndexException(ErrorType.CHANGES_GONE, "the changes after this token of partition " + tp.partition()
                    + " may have lost deletes to compaction (" + (writtenAt < 0 ? "its record is compacted away"
                    : "its record was written " + age + " ms ago") + ", delete.retention.ms of " + topic + " is " + retentionMs
                    + " ms); take a fresh snapshot (GET /changes without since)");
        }
    }

    @Override
    public void close() {
        thread.execute(() -> consumer.close());
        thread.shutdown();
    }

    /**
     * @param readThrough per partition the position after the replay: its last change, or beyond
     *                    what held none (markers, undecodable records)
     */
    record Replay(List<Change> changes, long[] readThrough) {
    }
}
