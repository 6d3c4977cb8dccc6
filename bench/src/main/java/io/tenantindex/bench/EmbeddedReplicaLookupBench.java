package io.tenantindex.bench;

import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.util.Statistics;

/** JMH of a lookup in tenant-index-client's embedded replica ({@link EmbeddedReplicaBenchmark}), in a forked JVM following stack colo ORD. */
final class EmbeddedReplicaLookupBench implements Benchmark {
    @Override
    public void run(BenchRun run) throws Exception {
        BenchOptions o = run.options;
        System.out.println("bench: JMH of the embedded replica's get (forked JVM; log " + run.logs.resolve("jmh-replica.log") + ")");
        Options jmh = JmhForks.options(o, run.logs.resolve("jmh-replica.log"), List.of(EmbeddedReplicaBenchmark.class),
                "bench.coloUrl=http://" + LoadTools.HOST + ":" + run.stack.colos.get("ORD"), "bench.tenants=" + run.tenants());
        for (RunResult r : new Runner(jmh).run()) {
            Statistics s = r.getPrimaryResult().getStatistics();
            run.report.details.put("jmh embedded replica get", JmhForks.details(s));
            String how = JmhForks.how(o, s) + String.format(Locale.ROOT, "; EmbeddedReplica#get of a random tenant of %,d (a "
                    + "ConcurrentHashMap read), the replica filled from stack colo ORD's GET /changes and following it while measured; "
                    + "p99 = %d ns, p99.9 = %d ns", run.tenants(), Math.round(s.getPercentile(99)), Math.round(s.getPercentile(99.9)));
            run.report.atMost("Lookup in process", "embedded replica (tenant-index-client) get: p99", s.getPercentile(99), "ns", 1_000, how);
            run.report.add("Lookup in process", "  embedded replica get: p50", s.getPercentile(50), "ns", "same run");
        }
    }
}
