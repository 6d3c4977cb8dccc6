package io.tenantindex.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Lookups as a newcomer meets them: wrk against colo ORD of the local stack ({@code ./tenant-index up}:
 * broker, registry, writer and the three colos in one JVM, here without the sink and the demo seed),
 * after a fixed warm-up rather than the separate colo's settled JIT, with the same wrk flags and
 * random-tenant script as the separate colo process. Shown next to that figure.
 */
final class NewcomerLookupBench implements Benchmark {
    private static final int WARM_UP_SECONDS = 10;

    @Override
    public void run(BenchRun run) throws Exception {
        int ord = run.stack.colos.get("ORD");
        Wrk wrk = Wrk.of(run);
        System.out.printf("bench: the newcomer's view: wrk against the stack's ORD after a fixed %d s warm-up%n", WARM_UP_SECONDS);
        wrk.run(ord, WARM_UP_SECONDS);
        CpuSplit cpu = CpuSplit.start(run.stack.pid());
        JsonNode w = wrk.run(ord);
        String cpuSplit = cpu.summary();
        double rps = Wrk.rps(w);
        run.report.details.put("wrk stack ORD (newcomer)", w);
        run.report.keep(Measure.NEWCOMER_RPS, rps);
        run.report.add("Lookup over HTTP", "the newcomer's view: colo ORD of ./tenant-index up, max throughput", rps, "req/s",
                String.format(Locale.ROOT, "wrk -t%d -c%d -d%ds with the random-tenant script against colo ORD of the bench's stack "
                                + "JVM (./tenant-index up --no-sink --no-seed, -Xmx%s) after one unmeasured %d s wrk run; p99 %.3f ms; "
                                + "errors %d. Why it differs from one colo process: this one JVM runs the broker, registry, writer and "
                                + "three colos (a newcomer's up also the sink) on the same 2 cores that wrk shares, so every lookup "
                                + "competes with the other colos' and the broker's threads and one heap's GC. Meanwhile %s",
                        wrk.threads, wrk.connections, wrk.seconds, run.options.stackHeap, WARM_UP_SECONDS,
                        w.path("p99_us").asDouble() / 1000, Wrk.errors(w), cpuSplit));
        Double separate = run.report.measured.get(Measure.COLO_MAX_RPS);
        if (separate != null) {
            run.report.add("Lookup over HTTP", "  newcomer's view ÷ one colo process", rps / separate, "×",
                    "the figure above ÷ the separate colo process's wrk max (same wrk flags and script, same run)");
        }
    }
}
