package io.tenantindex.bench;

import io.tenantindex.common.http.MiniHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Replication lag (writer ack → visible in all three stack colos) at a steady rate, then at the writer's max. */
final class LagBench implements Benchmark {
    @Override
    public void run(BenchRun run) throws Exception {
        int writerPort = run.stack.writerPort;
        int[] ports = run.stack.coloPorts();
        long tenants = run.tenants();
        double seconds = run.options.lagSeconds;
        double rate = run.options.lagRate;
        Report report = run.report;
        System.out.printf("bench: replication lag at %.0f writes/s for %.0f s, after a warm-up%n", rate, seconds);
        // Its floor (KafkaLatencyFloorBench) is measured with a settled JIT; without a warm-up of its own the
        // tokened reads' code was still compiling here (C2 26 % of the stack's CPU during the measured run).
        String warm = JitWarmUp.untilSettled(run.stack.pid(), "the stack JVM",
                () -> LoadTools.lagSteady(writerPort, ports, rate, 32, JitWarmUp.ROUND_SECONDS, tenants));
        CpuSplit cpu = CpuSplit.start(run.stack.pid());
        LoadTools.LagResult s = LoadTools.lagSteady(writerPort, ports, rate, 32, seconds, tenants);
        String cpuSplit = cpu.summary();
        String commits = streamsCommitLatency(ports[0]);
        report.details.put("lag steady", details(s));
        String how = String.format(Locale.ROOT, "open loop, %.0f PUT/s scheduled over 32 workers (each PUT then checks, so a worker is busy per write) for %.0f s (achieved %.0f "
                + "writes/s); after each ack the tokened GET /tenants/{id} (X-Consistency-Token = the ack's token, ?wait=5000) "
                + "is sent to ORD, SIN and AMS at once and the three answers read: lag = last answer's arrival − ack (includes one "
                + "loopback HTTP round trip); %d writes checked, %d checks failed; %s. Meanwhile %s; colo ORD's stream thread "
                + "(exactly-once, a transaction per commit every 100 ms), Kafka Streams metrics right after the run: %s",
                rate, seconds, s.writesPerSecond(), s.checked(), s.failedChecks(), warm, cpuSplit, commits);
        report.add("Replication lag", "ack → visible in all 3 colos at " + (long) rate + " writes/s: p99",
                Latencies.ms(s.lag().percentile(99)), "ms", how + "; its target is a ratio to Kafka's own latency (Targets table)");
        report.keep(Measure.LAG_P99_MS, Latencies.ms(s.lag().percentile(99)));
        report.add("Replication lag", "  p50 / max at " + (long) rate + " writes/s", Latencies.ms(s.lag().percentile(50)), "ms",
                "max " + Latencies.ms(s.lag().max()) + " ms; PUT p99 from scheduled time " + Latencies.ms(s.put().percentile(99)) + " ms");

        int c = (int) run.options.putConcurrency;
        System.out.printf("bench: replication lag at the writer's max (c=%d) for %.0f s%n", c, seconds);
        LoadTools.LagResult m = LoadTools.lagAtMax(writerPort, ports, c, 8, seconds, tenants);
        report.details.put("lag at max", details(m));
        String mhow = String.format(Locale.ROOT, "%d connections PUT back to back (the writer's max on this machine: %.0f writes/s "
                + "achieved while checked); 8 checker threads take acks from a queue and check each in all three colos as above "
                + "(%d of %d writes checked, the rest skipped when the queue was full). Lag includes the queue pickup delay (p99 "
                + "%.3f ms), so it is an upper bound; %d checks failed", c, m.writesPerSecond(), m.checked(), m.writes(),
                Latencies.ms(m.pickup().percentile(99)), m.failedChecks());
        report.add("Replication lag", "at the writer's max: p50", Latencies.ms(m.lag().percentile(50)), "ms", mhow);
        report.add("Replication lag", "at the writer's max: p99", Latencies.ms(m.lag().percentile(99)), "ms", "same run");
        report.add("Replication lag", "at the writer's max: max", Latencies.ms(m.lag().max()), "ms", "same run");
    }

    /** The commit latency (avg / max, ms) a stack colo's Kafka Streams thread reports on its /metrics. */
    private static String streamsCommitLatency(int port) {
        try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
            String metrics = new String(http.request("GET", "/metrics", null, null).body(), StandardCharsets.UTF_8);
            String found = metrics.lines().filter(l -> l.startsWith("kafka_stream_thread_commit_latency_"))
                    .map(l -> l.replaceAll("\\{.*}", "")).collect(Collectors.joining("; "));
            return found.isEmpty() ? "commit latency not exposed" : found;
        } catch (IOException e) {
            return "metrics unreadable: " + e.getMessage();
        }
    }

    private static Map<String, Object> details(LoadTools.LagResult r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("writes", r.writes());
        d.put("writes_per_s", Math.round(r.writesPerSecond()));
        d.put("checked", r.checked());
        d.put("failed_checks", r.failedChecks());
        d.put("put_errors", r.putErrors());
        d.put("lag_all_colos", r.lag().summaryMs());
        d.put("lag_each_colo_sample", r.perColo().summaryMs());
        d.put("pickup_delay", r.pickup().summaryMs());
        d.put("put_latency", r.put().summaryMs());
        return d;
    }
}
