package io.tenantindex.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * The in-process lookup and its floors: JMH ({@link LookupBenchmark}, {@link StoreFloorBenchmark})
 * in a forked JVM over the store the colo under test left (that colo stopped first).
 */
final class InProcessLookupBench implements Benchmark {
    @Override
    public void run(BenchRun run) throws Exception {
        BenchOptions o = run.options;
        BenchRun.Colo colo = run.colo;
        System.out.println("bench: JMH over colo " + colo.code() + "'s store (forked JVM; log " + run.logs.resolve("jmh.log") + ")");
        Options jmh = new OptionsBuilder()
                .include(LookupBenchmark.class.getName())
                .include(StoreFloorBenchmark.class.getName())
                .forks(1)
                .threads(1)
                .warmupIterations((int) o.jmhWarmup)
                .warmupTime(TimeValue.seconds(o.jmhSeconds))
                .measurementIterations((int) o.jmhIterations)
                .measurementTime(TimeValue.seconds(o.jmhSeconds))
                .jvmArgs("-Xmx" + o.jmhHeap, "-XX:+UseG1GC",
                        "-Dbench.bootstrap=" + run.stack.bootstrap, "-Dbench.registry=" + run.stack.registryUrl,
                        "-Dbench.colo=" + colo.code(), "-Dbench.stateDir=" + colo.stateDir(), "-Dbench.tenants=" + run.tenants(),
                        "-DTENANT_INDEX_LOG_LEVEL=WARN")
                .output(run.logs.resolve("jmh.log").toString())
                .build();
        for (RunResult r : new Runner(jmh).run()) {
            String bench = r.getParams().getBenchmark();
            String name = bench.substring(bench.lastIndexOf('.') + 1);
            Statistics s = r.getPrimaryResult().getStatistics();
            run.report.details.put("jmh " + name, details(s));
            String what = switch (name) {
                case "lookup" -> "IndexReplica#lookup on the colo's RebuildableReplica: a get on the partition's store "
                        + "(interactive query, RocksDB) + Avro decode";
                case "lookupAndBody" -> "IndexReplica#lookupEncoded: the JSON bytes GET /tenants/{id} sends, from the colo's answer "
                        + "cache (colo.answer.cache.bytes, default) or lookup + JSON encoding (the route minus HTTP, readiness "
                        + "headers and usage emission)";
                case "rawGet" -> "the floor: the same RocksDB files opened read-only with plain RocksDB JNI (no Kafka Streams; 50 MB "
                        + "block cache and bloom filters per store, as Streams configures them), one get per call";
                default -> "the floor: the Confluent-framed Avro decode alone (the colo's IndexRecordSerde) of stored values read up front";
            };
            String how = String.format(Locale.ROOT, "JMH SampleTime, 1 thread, 1 fork (-Xmx%s), %d×%d s warm-up, %d×%d s measured, "
                    + "%,d samples; a random tenant of %,d per call; over the RocksDB store colo %s built and served (Kafka Streams "
                    + "reopened on its state dir, caught up before measuring). %s", o.jmhHeap,
                    o.jmhWarmup, o.jmhSeconds, o.jmhIterations, o.jmhSeconds, s.getN(), run.tenants(), colo.code(), what);
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

    /** A JMH SampleTime result's samples, mean, percentiles and max, in ns, for the report's details. */
    static Map<String, Object> details(Statistics s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("samples", s.getN());
        d.put("mean_ns", Math.round(s.getMean()));
        for (double p : new double[] {50, 90, 99, 99.9, 99.99}) {
            d.put("p" + Report.fmt(p) + "_ns", Math.round(s.getPercentile(p)));
        }
        d.put("max_ns", Math.round(s.getMax()));
        return d;
    }
}
