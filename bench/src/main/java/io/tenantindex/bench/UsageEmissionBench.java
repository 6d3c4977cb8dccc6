package io.tenantindex.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What usage emission costs a lookup. The colo under test (same state) is restarted with emission
 * off, then on, and measured with the same wrk run after the same warm-up. The events go to the
 * stack's broker; the sink, a separate service, is not running meanwhile. Then the sink's own
 * throughput on the backlog those runs left, and one more run with it consuming on the same two
 * cores (what a single machine running everything would see).
 */
final class UsageEmissionBench implements Benchmark {
    private static final String SINK_GROUP = "tenant-index-usage-sink-bench";

    @Override
    public void run(BenchRun run) throws Exception {
        Wrk wrk = Wrk.of(run);
        BenchRun.Colo colo = run.colo;
        long stackPid = run.stack.pid();
        // Off and on alternate (off, on, off, on, …; each a restart and a JIT warm-up) and the medians are
        // compared: single runs on this shared machine differ by ±10-15%, as much as the target itself.
        int rounds = (int) run.options.emissionRounds;
        Map<Boolean, List<Double>> rps = Map.of(false, new ArrayList<>(), true, new ArrayList<>());
        Map<Boolean, List<Double>> cpuPerLookup = Map.of(false, new ArrayList<>(), true, new ArrayList<>());
        long errs = 0;
        for (int round = 0; round < rounds; round++) {
            for (boolean on : List.of(false, true)) {
                run.stopColo();
                System.out.println("bench: colo " + colo.code() + " with usage emission " + (on ? "on" : "off"));
                run.coloJvm = run.launchColo(colo, on);
                BenchRun.awaitReady(run.coloJvm, colo.port(), 300);
                wrk.warmUp(run.coloJvm, colo.port());
                long before = Procs.cpuTicks(run.coloJvm.pid()) + Procs.cpuTicks(stackPid);
                JsonNode w = wrk.run(colo.port());
                long used = Procs.cpuTicks(run.coloJvm.pid()) + Procs.cpuTicks(stackPid) - before;
                rps.get(on).add(Wrk.rps(w));
                cpuPerLookup.get(on).add(used * 1e6 / Procs.TICKS_PER_SECOND / w.path("requests").asLong());
                errs += Wrk.errors(w);
            }
        }
        double off = median(rps.get(false));
        double on = median(rps.get(true));
        String how = String.format(Locale.ROOT, "the colo restarted on the same state with --usage-emitter-enabled false, then "
                + "true, %d times each, alternating; each run after a JIT warm-up (as above) is wrk -t%d -c%d -d%ds with the "
                + "random-tenant script; median of the runs (off %s, on %s req/s); errors %d. The events go to the stack's broker "
                + "on the same cores; the usage-log-sink is not running (a service of its own, measured below)",
                rounds, wrk.threads, wrk.connections, wrk.seconds, list(rps.get(false)), list(rps.get(true)), errs);
        Report report = run.report;
        report.add("Usage emission", "lookups/s with emission off", off, "req/s", how);
        report.add("Usage emission", "lookups/s with emission on", on, "req/s", "same runs");
        report.atMost("Usage emission", "throughput cost of emission (1 − on ÷ off)", Math.max(0, (1 - on / off) * 100), "%", 10,
                "ratio of the two medians above");
        report.add("Usage emission", "  CPU per lookup, colo + broker, emission off", median(cpuPerLookup.get(false)), "µs",
                "CPU time of the colo JVM and the stack JVM (broker) during each wrk run ÷ its requests, from /proc; median; runs: "
                        + list(cpuPerLookup.get(false)));
        report.add("Usage emission", "  CPU per lookup, colo + broker, emission on", median(cpuPerLookup.get(true)), "µs",
                "same; runs: " + list(cpuPerLookup.get(true)));
        double cpuRatio = median(cpuPerLookup.get(true)) / median(cpuPerLookup.get(false));
        report.atMost("Usage emission", "  CPU per lookup, emission on ÷ off", cpuRatio, "×", 1.1, "ratio of the two medians above");
        report.keep(Measure.EMISSION_COST_PCT, Math.max(0, (1 - on / off) * 100));
        report.keep(Measure.EMISSION_CPU_RATIO, cpuRatio);

        Procs.Child sink = startSink(run);
        try {
            sinkThroughput(run);
            JsonNode shared = wrk.run(colo.port());
            report.add("Usage emission", "  lookups/s with emission on and the sink consuming on the same 2 cores", Wrk.rps(shared), "req/s",
                    "the same wrk run while the usage-log-sink JVM aggregates the live events (and what is left of the backlog); "
                            + "errors " + Wrk.errors(shared));
        } finally {
            Procs.stop(sink, 60);
        }
    }

    private static Procs.Child startSink(BenchRun run) throws IOException {
        List<String> cmd = run.jvm("sink", run.options.sinkHeap);
        cmd.addAll(List.of("io.tenantindex.sink.UsageSink", "--bootstrap-servers", run.stack.bootstrap,
                "--registry-url", run.stack.registryUrl, "--state-dir", run.work.resolve("sink").toString(), "--http-host", "127.0.0.1",
                "--sink-http-port", Integer.toString(Ports.reserve()), "--sink-application-id", SINK_GROUP));
        System.out.println("bench: usage-log-sink on the usage events of the runs above");
        return Procs.start("sink", cmd, run.logs);
    }

    /**
     * Events/s the sink aggregates on 2 cores (exactly-once, two window stores), from its group's
     * committed offsets over a fixed window while it works through the backlog.
     */
    private static void sinkThroughput(BenchRun run) throws Exception {
        Stack stack = run.stack;
        long backlog = stack.endOffsets(Stack.USAGE_TOPIC).values().stream().mapToLong(Long::longValue).sum();
        int window = (int) run.options.sinkSeconds;
        long deadline = System.nanoTime() + 180_000_000_000L;
        long first;
        while ((first = stack.committedUsage(SINK_GROUP)) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the usage-log-sink committed nothing within 180 s; see " + run.logs.resolve("sink.log"));
            }
            Thread.sleep(100);
        }
        long t0 = System.nanoTime();
        long last = first;
        while (System.nanoTime() - t0 < window * 1_000_000_000L && last < backlog) {
            Thread.sleep(250);
            last = stack.committedUsage(SINK_GROUP);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        run.report.add("Usage sink", "events aggregated per second (backlog)", (last - first) / secs, "events/s", String.format(Locale.ROOT,
                "the usage-log-sink in its own JVM (-Xmx%s; exactly-once, per-minute and per-hour RocksDB window stores) started "
                        + "on the %,d usage events the lookup runs above left; committed offsets of its group, from its first commit "
                        + "for %.0f s (or until caught up): %,d events; the stack's broker on the same 2 cores",
                run.options.sinkHeap, backlog, secs, last - first));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String list(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).collect(Collectors.joining(" / "));
    }
}
