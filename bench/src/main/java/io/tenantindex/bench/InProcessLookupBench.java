package io.tenantindex.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.util.Statistics;

/**
 * The in-process lookup and its floors: JMH ({@link LookupBenchmark}, {@link StoreFloorBenchmark})
 * in a forked JVM over the store the colo under test left (that colo stopped first).
 */
final class InProcessLookupBench implements Benchmark {
    private static final long WHOLE_INDEX_BUDGET_PER_TENANT = 1_000;

    @Override
    public void run(BenchRun run) throws Exception {
        BenchOptions o = run.options;
        BenchRun.Colo colo = run.colo;
        System.out.println("bench: JMH over colo " + colo.code() + "'s store (forked JVM; log " + run.logs.resolve("jmh.log") + ")");
        Options jmh = JmhForks.options(o, run.logs.resolve("jmh.log"), List.of(LookupBenchmark.class, StoreFloorBenchmark.class),
                storeProperties(run));
        for (RunResult r : new Runner(jmh).run()) {
            report(run, r);
        }
        wholeIndexCached(run);
    }

    /**
     * The same route with every tenant's value in the cache. A budget of
     * {@value #WHOLE_INDEX_BUDGET_PER_TENANT} bytes per tenant gives the cache's 4-way sets room to
     * keep (almost) all of them; what they take in heap is reported.
     */
    private static void wholeIndexCached(BenchRun run) throws Exception {
        BenchOptions o = run.options;
        Path heapFile = run.logs.resolve("jmh-whole-index-heap.txt");
        List<String> properties = new ArrayList<>(List.of(storeProperties(run)));
        properties.add("bench.wholeIndexCacheBytes=" + WHOLE_INDEX_BUDGET_PER_TENANT * run.tenants());
        properties.add("bench.cacheHeapFile=" + heapFile);
        Options jmh = JmhForks.options(o, run.logs.resolve("jmh-whole-index.log"),
                List.of(LookupBenchmark.class.getName() + ".lookupAndBody$"), Map.of("answerCache", LookupBenchmark.WHOLE_INDEX),
                properties.toArray(String[]::new));
        Statistics s = new Runner(jmh).runSingle().getPrimaryResult().getStatistics();
        double heapMiB = Long.parseLong(Files.readString(heapFile).trim()) / (1024.0 * 1024.0);
        run.report.details.put("jmh lookupAndBody whole-index", JmhForks.details(s));
        String how = JmhForks.how(o, s) + String.format(Locale.ROOT, "; IndexReplica#lookupEncoded as above, but with "
                + "colo.answer.cache.bytes = %,d (%d bytes per tenant) and every one of the %,d tenants looked up once before "
                + "measuring, so the cache answers (almost) every call; the cached values took %.0f MiB of heap (as the cache "
                + "counts them: each value's bytes plus its slot, tenant_index_answer_cache_bytes)", WHOLE_INDEX_BUDGET_PER_TENANT * run.tenants(),
                WHOLE_INDEX_BUDGET_PER_TENANT, run.tenants(), heapMiB);
        run.report.add("Lookup in process", "  what would reach it: the whole index in the answer cache: p99", s.getPercentile(99),
                "ns", how);
        run.report.add("Lookup in process", "    same: p50", s.getPercentile(50), "ns", "same run");
        run.report.add("Lookup in process", "    same: heap the cached answers take", heapMiB, "MiB", how);
    }

    /** The system properties {@link LookupBenchmark} and {@link StoreFloorBenchmark} read: the colo under test's store. */
    private static String[] storeProperties(BenchRun run) {
        return new String[] {"bench.bootstrap=" + run.stack.bootstrap, "bench.registry=" + run.stack.registryUrl,
            "bench.colo=" + run.colo.code(), "bench.stateDir=" + run.colo.stateDir(), "bench.tenants=" + run.tenants()};
    }

    private static void report(BenchRun run, RunResult r) {
        BenchOptions o = run.options;
        BenchRun.Colo colo = run.colo;
        String bench = r.getParams().getBenchmark();
        String name = bench.substring(bench.lastIndexOf('.') + 1);
        Statistics s = r.getPrimaryResult().getStatistics();
        run.report.details.put("jmh " + name, JmhForks.details(s));
        String what = switch (name) {
            case "lookup" -> "IndexReplica#lookup on the colo's RebuildableReplica: a get on the partition's store "
                    + "(interactive query, RocksDB) + Avro decode";
            case "lookupAndBody" -> "IndexReplica#lookupEncoded: the JSON bytes GET /tenants/{id} sends, from the colo's answer "
                    + "cache (colo.answer.cache.bytes, default) or lookup + JSON encoding (the route minus HTTP, readiness "
                    + "headers and usage emission)";
            case "rawGet" -> "the floor: the same RocksDB files opened read-only with plain RocksDB JNI (no Kafka Streams; 50 MB "
                    + "block cache and bloom filters per store, Kafka Streams' defaults: more cache than the colo's one shared "
                    + "colo.rocksdb.block.cache.bytes), one get per call";
            default -> "the floor: the Confluent-framed Avro decode alone (the colo's IndexRecordSerde) of stored values read up front";
        };
        String how = JmhForks.how(o, s) + String.format(Locale.ROOT, "; a random tenant of %,d per call; over the RocksDB store "
                + "colo %s built and served (Kafka Streams reopened on its state dir, caught up before measuring). %s",
                run.tenants(), colo.code(), what);
        Report report = run.report;
        switch (name) {
            case "lookupAndBody" -> {
                report.atMost("Lookup in process", "get + decode + body: p99", s.getPercentile(99), "ns", 2_000, how);
                report.keep(Measure.IN_PROCESS_P99_NS, s.getPercentile(99));
                report.add("Lookup in process", "  get + decode + body: p50", s.getPercentile(50), "ns", "same run");
            }
            case "lookup" -> report.add("Lookup in process", "get + decode only: p50 / p99", s.getPercentile(50), "ns",
                    how + "; p99 = " + Math.round(s.getPercentile(99)) + " ns");
            case "rawGet" -> report.add("Lookup in process", "  floor: raw RocksDB get: p50 / p99", s.getPercentile(50), "ns",
                    how + "; p99 = " + Math.round(s.getPercentile(99)) + " ns");
            default -> report.add("Lookup in process", "  floor: Avro decode alone: p50 / p99", s.getPercentile(50), "ns",
                    how + "; p99 = " + Math.round(s.getPercentile(99)) + " ns");
        }
    }
}
