package io.tenantindex.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The floor under the bulk import: {@link RawTransactions} (the writer's producer settings and group
 * commit) sending the very records the import wrote (read back from the index topic as stored: same
 * keys, Avro bytes, version headers, partitions) into the floor topic (the index topic's spec and
 * partitions) on the same broker, fed as the import feeds the writer: chunks of writer.max.batch
 * writes with two chunks in flight, so each transaction carries one chunk. The stack's colos keep
 * running on the same cores meanwhile, but they apply the index topic, not the floor topic, so the
 * floor leaves their apply work out and is the harder bound. Records/s = records ÷ wall time from
 * the first submit to the last commit, after an untimed pass over the first tenth.
 */
final class ProducerThroughputFloorBench implements Benchmark {
    @Override
    public void run(BenchRun run) throws Exception {
        System.out.println("bench: reading the index topic's records for the raw producer floor");
        List<RawTransactions.Raw> records = RawTransactions.indexRecords(run.stack, run.tenants());
        try (RawTransactions tx = RawTransactions.open(run.stack, "bench-floor-throughput")) {
            send(tx, records.subList(0, records.size() / 10));
            System.out.printf("bench: raw transactional producer, %,d records%n", records.size());
            long t0 = System.nanoTime();
            send(tx, records);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double perSecond = records.size() / seconds;
            run.report.add("Kafka floor", "raw transactional producer, the import's records", perSecond, "records/s",
                    String.format(Locale.ROOT, "%,d records of the index topic as stored, sent from the bench JVM in chunks of %d with "
                                    + "two chunks in flight (as the import hands them to the writer), one transaction per group "
                                    + "commit (%s), into a topic with the index topic's spec and partitions on the same broker, "
                                    + "while the stack's colos run on the same cores (idle: they apply the index topic, not this "
                                    + "one); wall time %.2f s after an untimed pass over the first tenth. The floor for the bulk import",
                            records.size(), tx.maxBatch, tx.settings, seconds));
            run.report.keep(Measure.RAW_PRODUCER_PER_S, perSecond);
        }
    }

    /** Submits {@code records} in chunks of the writer's batch, waiting for chunk n − 1 before submitting chunk n + 1. */
    private static void send(RawTransactions tx, List<RawTransactions.Raw> records) {
        List<CompletableFuture<Long>> inFlight = new ArrayList<>();
        List<CompletableFuture<Long>> chunk = new ArrayList<>();
        for (RawTransactions.Raw r : records) {
            chunk.add(tx.submit(r.toFloor()));
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
