package io.tenantindex.bench;

import io.tenantindex.common.DaemonThreads;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.writer.WriterApp;
import io.tenantindex.writer.WriterConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The index-writer's Kafka path without the writer, for the Kafka floors. A transactional producer
 * with the writer's own settings ({@link WriterApp#producerProperties}: acks=all, idempotence, lz4,
 * linger.ms, batch.size, transaction timeout), driven as {@code IndexWriter} drives it: one thread
 * takes whatever is queued (up to writer.max.batch) and commits it in one transaction (group
 * commit), then completes each write. Records go to a floor topic with the index topic's spec and
 * partition count, or back into the index topic itself; they are the index topic's own records as
 * stored (keys, Confluent-framed Avro values, version headers, partitions), byte for byte. What the floor leaves out is the writer's
 * own work: HTTP, JSON parsing, preconditions, the view, Avro encoding.
 */
final class RawTransactions implements AutoCloseable {
    static final String FLOOR_TOPIC = "bench-floor";
    /** The writer's version header (TopicReplay's), carried over as stored. */
    private static final String VERSION_HEADER = "tenant-index-version";

    /** One record as the index topic stores it. */
    record Raw(int partition, byte[] key, byte[] value, byte[] version) {
        ProducerRecord<byte[], byte[]> toFloor() {
            return to(FLOOR_TOPIC);
        }

        /** The record again, into {@code topic} at its partition. */
        ProducerRecord<byte[], byte[]> to(String topic) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, partition, key, value);
            r.headers().add(VERSION_HEADER, version);
            return r;
        }
    }

    private record Queued(ProducerRecord<byte[], byte[]> record, CompletableFuture<Long> committed) {
    }

    final int maxBatch;
    final String settings;
    private final Producer<byte[], byte[]> producer;
    private final BlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private volatile boolean running = true;
    /** Set when a transaction failed: the committer stops and every write after it fails at once. */
    private volatile RuntimeException failure;

    private RawTransactions(Stack stack, String transactionalId) {
        WriterConfig writer = WriterConfig.from(Settings.of(Map.of(ConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrap,
                ConfigKeys.AUTH_DISABLED, "true")));
        Properties p = WriterApp.producerProperties(writer);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        this.maxBatch = writer.maxBatch();
        this.settings = String.format("acks=%s, linger.ms=%s, batch.size=%s, compression=%s, transactions of up to %d writes "
                        + "(writer.max.batch)", p.get(ProducerConfig.ACKS_CONFIG), p.get(ProducerConfig.LINGER_MS_CONFIG),
                p.get(ProducerConfig.BATCH_SIZE_CONFIG), p.get(ProducerConfig.COMPRESSION_TYPE_CONFIG), maxBatch);
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        this.committer = DaemonThreads.newThread("floor-committer", this::commitLoop);
        committer.start();
    }

    /** A group-committing transactional producer on the stack's broker, the floor topic created if missing. */
    static RawTransactions open(Stack stack, String transactionalId) throws Exception {
        createFloorTopic(stack);
        return new RawTransactions(stack, transactionalId);
    }

    /** Queues one write; completes with System.nanoTime() right after its transaction committed. */
    CompletableFuture<Long> submit(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        queue.add(new Queued(record, f));
        if (failure != null) {
            failQueued();
        }
        return f;
    }

    private void failQueued() {
        List<Queued> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(q -> q.committed().completeExceptionally(failure));
    }

    private void commitLoop() {
        List<Queued> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                Queued first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                producer.beginTransaction();
                for (Queued q : batch) {
                    producer.send(q.record());
                }
                producer.commitTransaction();
                long now = System.nanoTime();
                batch.forEach(q -> q.committed().complete(now));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failure = e;
                running = false;
                batch.forEach(q -> q.committed().completeExceptionally(e));
                failQueued();
            } finally {
                batch.clear();
            }
        }
    }

    /** Up to {@code max} records of the index topic from its start, read_committed, as stored. */
    static List<Raw> indexRecords(Stack stack, long max) throws Exception {
        List<Raw> out = new ArrayList<>();
        readIndex(stack, max, out::add, false);
        return out;
    }

    /**
     * The last record of every live key of the index topic, as stored, in the order of their offsets
     * per partition: sent again in this order, each key ends where it is now.
     */
    static List<Raw> latestIndexRecords(Stack stack) throws Exception {
        Map<String, Raw> latest = new LinkedHashMap<>();
        readIndex(stack, Long.MAX_VALUE, r -> {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            latest.remove(key);
            if (r.value() != null) {
                latest.put(key, r);
            }
        }, true);
        return new ArrayList<>(latest.values());
    }

    /** Up to {@code max} records from the start of the index topic to {@code out}; tombstones (null values) too if asked. */
    private static void readIndex(Stack stack, long max, Consumer<Raw> out, boolean tombstones) throws Exception {
        Map<Integer, Long> ends = stack.endOffsets(Stack.TOPIC);
        long[] taken = {0};
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(stack)) {
            List<TopicPartition> tps = ends.keySet().stream().map(p -> new TopicPartition(Stack.TOPIC, p)).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (taken[0] < max && tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp.partition()) - 1)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading the index topic took more than 5 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if ((tombstones || r.value() != null) && taken[0] < max) {
                        taken[0]++;
                        out.accept(new Raw(r.partition(), r.key(), r.value(), versionOf(r)));
                    }
                }
            }
        }
    }

    private static byte[] versionOf(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(VERSION_HEADER);
        return h == null ? new byte[0] : h.value();
    }

    /** A read_committed byte consumer on the stack's broker, no group (assign only). */
    static KafkaConsumer<byte[], byte[]> consumer(Stack stack) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The floor topic: the index topic's spec (compacted, min ISR, replication) and its partition count on the broker. */
    private static void createFloorTopic(Stack stack) throws Exception {
        int partitions = stack.endOffsets(Stack.TOPIC).size();
        TopicSpec index = TopicsConfig.from(Settings.of(Map.of())).index();
        TopicSpec floor = new TopicSpec(FLOOR_TOPIC, partitions, index.replicationFactor(), index.configs());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap))) {
            admin.createTopics(List.of(floor.toNewTopic())).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        committer.join(10_000);
        producer.close(Duration.ofSeconds(10));
    }
}
