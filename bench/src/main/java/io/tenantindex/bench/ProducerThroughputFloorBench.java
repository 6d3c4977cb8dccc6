package io.tenantindex.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The floor under the bulk import: {@link RawTransactions} (the writer's producer settings and group
 * commit) sending the very records the import wrote (the last record of every live tenant, read back
 * from the index topic as stored: same keys, Avro bytes, version headers, partitions) into the index
 * topic itself on the same broker, fed as the import feeds the writer: chunks of writer.max.batch
 * writes with two chunks in flight, so each transaction carries one chunk. The stack's colos apply
 * every one of them meanwhile on the same cores, as they apply the import's: each tenant gets the
 * bytes it already has, so its version, its digest entry and its answer stay what they were.
 * Records/s = records ÷ wall time from the first submit to the last commit, after an untimed pass
 * over the first tenth; then the colos are waited for, untimed, before the next benchmark.
 */
final class ProducerThroughputFloorBench implements Benchmark {
    @Override
    public void run(BenchRun run) throws Exception {
        System.out.println("bench: reading the index topic's records for the raw producer floor");
        List<RawTransactions.Raw> records = RawTransactions.latestIndexRecords(run.stack);
        try (RawTransactions tx = RawTransactions.open(run.stack, "bench-floor-throughput")) {
            send(tx, records.subList(0, records.size() / 10));
            run.stack.awaitColosCaughtUp(300);
            System.out.printf("bench: raw transactional producer, %,d records into the index topic%n", records.size());
            CpuSplit cpu = CpuSplit.start(run.stack.pid());
            long t0 = System.nanoTime();
            send(tx, records);
            double seconds = (System.nanoTime() - t0) / 1e9;
            String stackCpu = cpu.summary();
            long c0 = System.nanoTime();
            run.stack.awaitColosCaughtUp(300);
            double caughtUp = (System.nanoTime() - c0) / 1e9;
            double perSecond = records.size() / seconds;
            run.report.add("Kafka floor", "raw transactional producer, the import's records", perSecond, "records/s",
                    String.format(Locale.ROOT, "%,d records of the index topic as stored (the last of each live tenant), sent again "
                                    + "into the index topic from the bench JVM in chunks of %d with two chunks in flight (as the "
                                    + "import hands them to the writer), one transaction per group commit (%s), on the same "
                                    + "broker, while the stack's three colos apply them on the same cores (each tenant gets the "
                                    + "bytes it has, so versions, digests and answers stay); wall time %.2f s after an untimed "
                                    + "pass over the first tenth; the colos had caught up %.2f s after the last commit. Meanwhile "
                                    + "%s. The floor for the bulk import",
                            records.size(), tx.maxBatch, tx.settings, seconds, caughtUp, stackCpu));
            run.report.keep(Measure.RAW_PRODUCER_PER_S, perSecond);
        }
    }

    /** Submits {@code records} into the index topic in chunks of the writer's batch, waiting for chunk n − 1 before submitting chunk n + 1. */
    private static void send(RawTransactions tx, List<RawTransactions.Raw> records) {
        List<CompletableFuture<Long>> inFlight = new ArrayList<>();
        List<CompletableFuture<Long>> chunk = new ArrayList<>();
        for (RawTransactions.Raw r : records) {
            chunk.add(tx.submit(r.to(Stack.TOPIC)));
            if (chunk.size() >= tx.maxBatch) {
                inFlight.forEach(CompletableFuture::join);
                inFlight = chunk;
                chunk = new ArrayList<>();
            }
        }
        inFlight.forEach(CompletableFuture::join);
        chunk.forEach(CompletableFuture::join);
    }
}
