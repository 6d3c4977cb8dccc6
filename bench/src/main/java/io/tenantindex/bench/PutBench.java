package io.tenantindex.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** PUT throughput and latency at a fixed concurrency, closed loop, after the stack JVM's JIT settled. */
final class PutBench implements Benchmark {
    @Override
    public void run(BenchRun run) throws Exception {
        int c = (int) run.options.putConcurrency;
        double seconds = run.options.putSeconds;
        int writerPort = run.stack.writerPort;
        long stackPid = run.stack.pid();
        System.out.printf("bench: PUTs at concurrency %d for %.0f s%n", c, seconds);
        // A 2 s warm-up left C2 with 37% of the stack's CPU during the measured run.
        String warm = JitWarmUp.untilSettled(stackPid, "the stack JVM",
                () -> LoadTools.puts(writerPort, c, JitWarmUp.ROUND_SECONDS, run.tenants()));
        CpuSplit cpu = CpuSplit.start(stackPid);
        LoadTools.ClosedLoopResult r = LoadTools.puts(writerPort, c, seconds, run.tenants());
        String cpuSplit = cpu.summary();
        Map<String, Object> d = new LinkedHashMap<>(r.latencies().summaryMs());
        d.put("ok", r.ok());
        d.put("errors", r.errors());
        d.put("req_per_s", Math.round(r.perSecond()));
        run.report.details.put("puts c=" + c, d);
        String how = String.format(Locale.ROOT, "%d keep-alive connections from the bench JVM, each PUT /tenants/{random existing "
                + "tenant} back to back (closed loop) for %.0f s; %s; latency = request sent → 2xx with token "
                + "(committed to Kafka); errors %d. Meanwhile %s", c, seconds, warm, r.errors(), cpuSplit);
        run.report.add("Writes", "PUT throughput at concurrency " + c, r.perSecond(), "req/s", how);
        run.report.add("Writes", "PUT p99 at concurrency " + c, Latencies.ms(r.latencies().percentile(99)), "ms",
                how + "; its target is a ratio to a raw transactional commit (Targets table)");
        run.report.keep(Measure.PUT_P99_MS, Latencies.ms(r.latencies().percentile(99)));
        run.report.add("Writes", "  PUT p50 at concurrency " + c, Latencies.ms(r.latencies().percentile(50)), "ms", "same run");
    }
}
