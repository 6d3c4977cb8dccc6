package io.tenantindex.bench;

import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/** JMH of a lookup in tenant-index-client's embedded replica ({@link EmbeddedReplicaBenchmark}), in a forked JVM following stack colo ORD. */
final class EmbeddedReplicaLookupBench implements Benchmark {
    @Override
    public void run(BenchRun run) throws Exception {
        BenchOptions o = run.options;
        System.out.println("bench: JMH of the embedded replica's get (forked JVM; log " + run.logs.resolve("jmh-replica.log") + ")");
        Options jmh = new OptionsBuilder()
                .include(EmbeddedReplicaBenchmark.class.getName())
                .forks(1)
                .threads(1)
                .warmupIterations((int) o.jmhWarmup)
                .warmupTime(TimeValue.seconds(o.jmhSeconds))
                .measurementIterations((int) o.jmhIterations)
                .measurementTime(TimeValue.seconds(o.jmhSeconds))
                .jvmArgs("-Xmx" + o.jmhHeap, "-XX:+UseG1GC",
                        "-Dbench.coloUrl=http://" + LoadTools.HOST + ":" + run.stack.colos.get("ORD"), "-Dbench.tenants=" + run.tenants(),
                        "-DTENANT_INDEX_LOG_LEVEL=WARN")
                .output(run.logs.resolve("jmh-replica.log").toString())
                .build();
        for (RunResult r : new Runner(jmh).run()) {
            Statistics s = r.getPrimaryResult().getStatistics();
            run.report.details.put("jmh embedded replica get", InProcessLookupBench.details(s));
            String how = String.format(Locale.ROOT, "JMH SampleTime, 1 thread, 1 fork (-Xmx%s), %d×%d s warm-up, %d×%d s measured, "
                    + "%,d samples; EmbeddedReplica#get of a random tenant of %,d (a ConcurrentHashMap read), the replica filled from "
                    + "stack colo ORD's GET /changes and following it while measured; p99 = %d ns, p99.9 = %d ns", o.jmhHeap,
                    o.jmhWarmup, o.jmhSeconds, o.jmhIterations, o.jmhSeconds, s.getN(), run.tenants(),
                    Math.round(s.getPercentile(99)), Math.round(s.getPercentile(99.9)));
            run.report.atMost("Lookup in process", "embedded replica (tenant-index-client) get: p99", s.getPercentile(99), "ns", 1_000, how);
            run.report.add("Lookup in process", "  embedded replica get: p50", s.getPercentile(50), "ns", "same run");
        }
    }
}
