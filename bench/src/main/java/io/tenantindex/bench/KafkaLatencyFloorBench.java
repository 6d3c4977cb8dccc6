package io.tenantindex.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Kafka's own latency on this machine and broker, the floor under replication lag and PUT latency,
 * through {@link RawTransactions} (the writer's producer settings and group commit, the index
 * topic's stored records, a floor topic with its partitions), in this JVM:
 *
 * <ol>
 *   <li>End to end at the lag benchmark's rate: open loop, {@code --lag-rate} writes/s scheduled over
 *       32 workers for {@code --lag-seconds} (as {@link LagBench}), each submitting a random stored
 *       record and waiting for its commit. A {@code read_committed} consumer assigned every partition
 *       notes each record's arrival. send → consumed = arrival − scheduled send time (Kafka's
 *       end-to-end latency); commit → consumed = arrival − the commit's return, the floor under the
 *       lag benchmark's "ack → visible", which also starts at a commit.</li>
 *   <li>Commit latency at {@code --put-concurrency}: that many threads each submit a record and wait
 *       for its commit, back to back (as {@link PutBench}'s connections), so their writes are grouped
 *       into transactions as the writer groups concurrent PUTs; latency = submit → commit returned.</li>
 * </ol>
 */
final class KafkaLatencyFloorBench implements Benchmark {
    private static final String SEQ_HEADER = "bench-seq";
    private static final int SAMPLE_RECORDS = 10_000;

    @Override
    public void run(BenchRun run) throws Exception {
        List<RawTransactions.Raw> records = RawTransactions.indexRecords(run.stack, SAMPLE_RECORDS);
        if (records.isEmpty()) {
            throw new IllegalStateException("the index topic has no records to send");
        }
        Report report = run.report;
        try (RawTransactions tx = RawTransactions.open(run.stack, "bench-floor-latency")) {
            String warm = JitWarmUp.untilSettled(ProcessHandle.current().pid(), "the bench JVM",
                    () -> closedLoopCommits(tx, records, (int) run.options.putConcurrency, JitWarmUp.ROUND_SECONDS));
            endToEnd(run, tx, records, warm);
            int c = (int) run.options.putConcurrency;
            System.out.printf("bench: raw transactional commits at concurrency %d for %d s%n", c, run.options.putSeconds);
            Latencies commits = closedLoopCommits(tx, records, c, run.options.putSeconds);
            report.details.put("kafka floor: commits c=" + c, commits.summaryMs());
            report.add("Kafka floor", "raw transactional commit p99 at concurrency " + c, Latencies.ms(commits.percentile(99)), "ms",
                    String.format(Locale.ROOT, "%d threads in the bench JVM each submit one stored index record and wait for its "
                                    + "commit, back to back for %d s (%,d commits, %.0f/s); one committer thread groups whatever is "
                                    + "queued into one transaction, as the index-writer does (%s); latency = submit → "
                                    + "commitTransaction returned; p50 %.3f ms. The floor for PUT p99 at the same concurrency",
                            c, run.options.putSeconds, commits.count(), commits.count() / (double) run.options.putSeconds, tx.settings,
                            Latencies.ms(commits.percentile(50))));
            report.keep(Measure.RAW_COMMIT_P99_MS, Latencies.ms(commits.percentile(99)));
        }
    }

    private static void endToEnd(BenchRun run, RawTransactions tx, List<RawTransactions.Raw> records, String warm) throws Exception {
        double rate = run.options.lagRate;
        double seconds = run.options.lagSeconds;
        int capacity = (int) (rate * seconds * 1.1) + 1000;
        AtomicLongArray due = new AtomicLongArray(capacity);
        AtomicLongArray committed = new AtomicLongArray(capacity);
        AtomicLongArray arrived = new AtomicLongArray(capacity);
        AtomicLong seq = new AtomicLong();
        AtomicBoolean consuming = new AtomicBoolean(true);
        AtomicLong failed = new AtomicLong();
        Latencies commit = new Latencies();
        try (KafkaConsumer<byte[], byte[]> consumer = RawTransactions.consumer(run.stack)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < run.stack.endOffsets(RawTransactions.FLOOR_TOPIC).size(); p++) {
                tps.add(new TopicPartition(RawTransactions.FLOOR_TOPIC, p));
            }
            consumer.assign(tps);
            consumer.seekToEnd(tps);
            tps.forEach(consumer::position);
            Thread reader = LoadTools.thread("floor-consumer", () -> {
                while (consuming.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        Header h = r.headers().lastHeader(SEQ_HEADER);
                        if (h != null) {
                            arrived.set((int) ByteBuffer.wrap(h.value()).getLong(), now);
                        }
                    }
                }
            });
            reader.start();
            System.out.printf("bench: Kafka end-to-end latency at %.0f writes/s for %.0f s%n", rate, seconds);
            LoadTools.paced("floor-e2e", 32, rate, seconds, () -> new LoadTools.PacedWorker() {
                @Override
                public void send(long dueNanos) {
                    long s = seq.getAndIncrement();
                    if (s >= capacity) {
                        return;
                    }
                    ProducerRecord<byte[], byte[]> r = records.get(ThreadLocalRandom.current().nextInt(records.size())).toFloor();
                    r.headers().add(SEQ_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(s).array());
                    due.set((int) s, dueNanos);
                    try {
                        long done = tx.submit(r).join();
                        committed.set((int) s, done);
                        commit.add(done - dueNanos);
                    } catch (CompletionException e) {
                        failed.incrementAndGet();
                    }
                }

                @Override
                public void close() {
                }
            });
            long sent = Math.min(seq.get(), capacity);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline && !allArrived(arrived, sent)) {
                Thread.sleep(20);
            }
            consuming.set(false);
            reader.join();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " raw transactional writes failed; the Kafka floor is not measured");
        }
        Latencies e2e = new Latencies();
        Latencies afterCommit = new Latencies();
        long lost = 0;
        for (int i = 0; i < Math.min(seq.get(), capacity); i++) {
            if (arrived.get(i) == 0) {
                lost++;
                continue;
            }
            e2e.add(arrived.get(i) - due.get(i));
            afterCommit.add(Math.max(0, arrived.get(i) - committed.get(i)));
        }
        Report report = run.report;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("send_to_consumed", e2e.summaryMs());
        d.put("commit_to_consumed", afterCommit.summaryMs());
        d.put("send_to_committed", commit.summaryMs());
        d.put("not_consumed_within_10_s", lost);
        report.details.put("kafka floor: end to end", d);
        String how = String.format(Locale.ROOT, "open loop in the bench JVM, %.0f writes/s scheduled over 32 workers for %.0f s "
                        + "(LoadTools.paced, as the lag benchmark), each submitting a random one of %,d stored index records (same keys, "
                        + "Avro bytes, partitions) and waiting for its commit; %s; a read_committed consumer assigned every partition "
                        + "of the floor topic (same spec and partitions as the index topic, same broker) notes each arrival; %,d records, "
                        + "%d not consumed within 10 s; %s", rate, seconds, records.size(), tx.settings, e2e.count(), lost, warm);
        report.add("Kafka floor", "end to end at " + (long) rate + " writes/s (send → consumed): p99", Latencies.ms(e2e.percentile(99)),
                "ms", how + "; latency = scheduled send time → arrival at the consumer; p50 " + Latencies.ms(e2e.percentile(50)) + " ms");
        report.add("Kafka floor", "  commit → consumed at " + (long) rate + " writes/s: p99", Latencies.ms(afterCommit.percentile(99)),
                "ms", "same run; latency = commitTransaction returned → arrival at the consumer (the floor under replication lag, "
                        + "which starts at the writer's ack, i.e. after its commit); p50 " + Latencies.ms(afterCommit.percentile(50)) + " ms");
        report.keep(Measure.KAFKA_E2E_P99_MS, Latencies.ms(e2e.percentile(99)));
        report.keep(Measure.KAFKA_COMMIT_TO_CONSUMED_P99_MS, Latencies.ms(afterCommit.percentile(99)));
    }

    private static boolean allArrived(AtomicLongArray arrived, long sent) {
        for (int i = 0; i < sent; i++) {
            if (arrived.get(i) == 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code conns} threads each submitting a stored record and waiting for its commit, back to back; submit → commit latencies. */
    private static Latencies closedLoopCommits(RawTransactions tx, List<RawTransactions.Raw> records, int conns, long seconds)
            throws InterruptedException {
        Latencies lat = new Latencies();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < conns; c++) {
            threads.add(LoadTools.thread("floor-commit-" + c, () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                try {
                    while (System.nanoTime() < end) {
                        long s = System.nanoTime();
                        long done = tx.submit(records.get(rnd.nextInt(records.size())).toFloor()).join();
                        lat.add(done - s);
                    }
                } catch (CompletionException e) {
                    failed.incrementAndGet();
                }
            }));
        }
        LoadTools.joinAll(threads);
        if (failed.get() > 0) {
            throw new IllegalStateException("raw transactional commits failed; the Kafka floor is not measured");
        }
        return lat;
    }
}
