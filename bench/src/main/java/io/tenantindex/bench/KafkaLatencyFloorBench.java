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
 *       record and waiting for its commit. One {@code read_committed} consumer per stack colo, each
 *       assigned every partition on a thread of its own, notes each record's arrival. The lag
 *       benchmark waits for the last of the three colos, so its floor waits for the last of the three
 *       consumers: commit → consumed = the last arrival − the commit's return (send → consumed, from
 *       the scheduled send time, is Kafka's end-to-end latency). The first consumer's figure alone,
 *       the floor of a single replica, is reported too.</li>
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
        int consumers = run.stack.coloPorts().length;
        AtomicLongArray due = new AtomicLongArray(capacity);
        AtomicLongArray committed = new AtomicLongArray(capacity);
        List<AtomicLongArray> arrived = new ArrayList<>();
        AtomicLong seq = new AtomicLong();
        AtomicBoolean consuming = new AtomicBoolean(true);
        AtomicLong failed = new AtomicLong();
        Latencies commit = new Latencies();
        List<Thread> readers = new ArrayList<>();
        List<KafkaConsumer<byte[], byte[]>> opened = new ArrayList<>();
        try {
            for (int c = 0; c < consumers; c++) {
                AtomicLongArray arrivals = new AtomicLongArray(capacity);
                arrived.add(arrivals);
                KafkaConsumer<byte[], byte[]> consumer = RawTransactions.consumer(run.stack);
                opened.add(consumer);
                List<TopicPartition> tps = new ArrayList<>();
                for (int p = 0; p < run.stack.endOffsets(RawTransactions.FLOOR_TOPIC).size(); p++) {
                    tps.add(new TopicPartition(RawTransactions.FLOOR_TOPIC, p));
                }
                consumer.assign(tps);
                consumer.seekToEnd(tps);
                tps.forEach(consumer::position);
                readers.add(LoadTools.thread("floor-consumer-" + c, () -> noteArrivals(consumer, arrivals, consuming)));
            }
            readers.forEach(Thread::start);
            System.out.printf("bench: Kafka end-to-end latency at %.0f writes/s for %.0f s, %d consumers%n", rate, seconds, consumers);
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
            while (System.nanoTime() < deadline && !arrived.stream().allMatch(a -> allArrived(a, sent))) {
                Thread.sleep(20);
            }
        } finally {
            consuming.set(false);
            for (Thread reader : readers) {
                reader.join();
            }
            opened.forEach(KafkaConsumer::close);
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " raw transactional writes failed; the Kafka floor is not measured");
        }
        Latencies e2e = new Latencies();
        Latencies afterCommit = new Latencies();
        Latencies oneConsumer = new Latencies();
        long lost = 0;
        for (int i = 0; i < Math.min(seq.get(), capacity); i++) {
            long last = lastArrival(arrived, i);
            if (last == 0) {
                lost++;
                continue;
            }
            e2e.add(last - due.get(i));
            afterCommit.add(Math.max(0, last - committed.get(i)));
            oneConsumer.add(Math.max(0, arrived.get(0).get(i) - committed.get(i)));
        }
        Report report = run.report;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("consumers", consumers);
        d.put("send_to_consumed_by_all", e2e.summaryMs());
        d.put("commit_to_consumed_by_all", afterCommit.summaryMs());
        d.put("commit_to_consumed_by_the_first", oneConsumer.summaryMs());
        d.put("send_to_committed", commit.summaryMs());
        d.put("not_consumed_by_all_within_10_s", lost);
        report.details.put("kafka floor: end to end", d);
        String how = String.format(Locale.ROOT, "open loop in the bench JVM, %.0f writes/s scheduled over 32 workers for %.0f s "
                        + "(LoadTools.paced, as the lag benchmark), each submitting a random one of %,d stored index records (same keys, "
                        + "Avro bytes, partitions) and waiting for its commit; %s; %d read_committed consumers, one per stack colo (the "
                        + "lag benchmark waits for all of them), each assigned every partition of the floor topic (same spec and "
                        + "partitions as the index topic, same broker) on its own thread, note each arrival while the stack runs; "
                        + "%,d records, %d not consumed by all within 10 s; %s", rate, seconds, records.size(), tx.settings, consumers,
                e2e.count(), lost, warm);
        report.add("Kafka floor", "end to end at " + (long) rate + " writes/s (send → consumed by all " + consumers + "): p99",
                Latencies.ms(e2e.percentile(99)), "ms", how + "; latency = scheduled send time → arrival at the last consumer; p50 "
                        + Latencies.ms(e2e.percentile(50)) + " ms");
        report.add("Kafka floor", "  commit → consumed by all " + consumers + " at " + (long) rate + " writes/s: p99",
                Latencies.ms(afterCommit.percentile(99)), "ms", "same run; latency = commitTransaction returned → arrival at the last "
                        + "of the consumers (the floor under replication lag, which starts at the writer's ack, i.e. after its commit, "
                        + "and ends when the last colo answers); p50 " + Latencies.ms(afterCommit.percentile(50)) + " ms");
        report.add("Kafka floor", "  commit → consumed by one consumer at " + (long) rate + " writes/s: p99",
                Latencies.ms(oneConsumer.percentile(99)), "ms", "same run, the first consumer alone (the floor of one replica); p50 "
                        + Latencies.ms(oneConsumer.percentile(50)) + " ms");
        report.keep(Measure.KAFKA_E2E_P99_MS, Latencies.ms(e2e.percentile(99)));
        report.keep(Measure.KAFKA_COMMIT_TO_CONSUMED_P99_MS, Latencies.ms(afterCommit.percentile(99)));
    }

    /** Polls until {@code consuming} is cleared, noting each floor record's arrival time by its sequence number. */
    private static void noteArrivals(KafkaConsumer<byte[], byte[]> consumer, AtomicLongArray arrivals, AtomicBoolean consuming) {
        while (consuming.get()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                long now = System.nanoTime();
                Header h = r.headers().lastHeader(SEQ_HEADER);
                if (h != null) {
                    arrivals.set((int) ByteBuffer.wrap(h.value()).getLong(), now);
                }
            }
        }
    }

    /** When record {@code i} reached the last of the consumers; 0 when one of them never got it. */
    private static long lastArrival(List<AtomicLongArray> arrived, int i) {
        long last = 0;
        for (AtomicLongArray a : arrived) {
            if (a.get(i) == 0) {
                return 0;
            }
            last = Math.max(last, a.get(i));
        }
        return last;
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
