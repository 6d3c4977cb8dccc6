package io.tenantindex.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./tenant-index bench}: runs every benchmark on this machine, in one run, and writes
 * {@code bench/results/latest.md} and {@code latest.json}.
 *
 * <p>Order (each step uses what the previous one left): start the local stack as a child JVM
 * (broker, registry, writer, colos ORD/SIN/AMS) → {@link ImportAndRebuildBench bulk imports} in
 * steps up to {@code --tenants}, with a fresh colo JVM replaying the topic after each step; the
 * last one stays as the colo under test → its {@link WarmRestartBench warm restart}, its
 * {@link StaticMembershipBench warm restarts without and with static membership}, its
 * {@link BlueGreenRebuildBench blue/green rebuild}, {@link HttpLookupBench wrk against it and
 * nginx} and open-loop latency, {@link RedisFloorBench Redis} with values of its answer size, its
 * {@link ColoMemory RSS}, {@link UsageEmissionBench usage emission off and on},
 * {@link TwoInstanceLookupBench it alone vs two instances} → {@link InProcessLookupBench JMH} over
 * the store that colo left → {@link ProducerThroughputFloorBench a raw transactional producer} on
 * the import's records → {@link PutBench PUTs} at concurrency 32 → {@link LagBench replication lag}
 * → {@link ReplicaLagBench ack → an embedded replica's listener} beside the colos' lag → {@link
 * EmbeddedReplicaLookupBench JMH of the embedded replica's get} → {@link KafkaLatencyFloorBench Kafka's own end-to-end and commit latency} → {@link
 * NewcomerLookupBench wrk against the stack's ORD} → {@link WriterTakeoverBench writer takeover
 * after kill -9}. The report's {@link RatioTable} sets each figure against its floor from the same
 * run. Sizes and durations are flags ({@code --help}). Every JVM gets -Xmx; everything listens on 127.0.0.1.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "./tenant-index bench [flags]: the benchmark suite (defaults finish in < 15 min on 2 cores).")
public final class BenchMain implements Callable<Integer> {
    @Mixin
    BenchOptions options;
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        // bench/run.sh passes --out first, so a later --out (or any repeated flag) overrides it.
        System.exit(new CommandLine(new BenchMain()).setOverwrittenOptionsAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        BenchRun run = new BenchRun(options);
        System.out.println("bench: work dir " + run.work);
        machineFacts(run);
        run.stack = Stack.start(run);
        int status = 0;
        try {
            runAll(run);
        } catch (Exception e) {
            status = 1;
            run.report.note("the run failed before finishing: " + e);
            e.printStackTrace();
        } finally {
            run.stopColo();
            Procs.stop(run.stack.child, 90);
        }
        run.report.config.put("wall time of the whole run", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));
        run.report.config.put("work dir (logs, data; not committed)", run.work.toString());
        run.report.write(options.out);
        System.out.println("bench: wrote " + options.out.resolve("latest.md") + " and latest.json");
        return status;
    }

    private static void runAll(BenchRun run) throws Exception {
        new ImportAndRebuildBench().run(run);
        if (run.coloJvm != null) {
            // Warm restart first: right after the cold start, that replica's background poison check of its
            // bulk-restored records still runs and would share the cores with the rebuild being timed.
            step(run, "restart", new WarmRestartBench());
            // Also right after the cold start, for the same reason; leaves the colo with static membership, as it runs.
            step(run, "membership", new StaticMembershipBench());
            step(run, "bluegreen", new BlueGreenRebuildBench());
            step(run, "http", new HttpLookupBench());
            step(run, "redis", new RedisFloorBench());
            ColoMemory.measure(run, run.coloJvm, "after the HTTP benchmarks");
            if (!run.options.skips("http")) {
                step(run, "emission", new UsageEmissionBench());
            }
            step(run, "instances", new TwoInstanceLookupBench());
            step(run, "feeds", new OpenFeedsBench());
            run.stopColo();
            step(run, "jmh", new InProcessLookupBench());
        }
        step(run, "producer-floor", new ProducerThroughputFloorBench());
        step(run, "puts", new PutBench());
        step(run, "lag", new LagBench());
        step(run, "replica-lag", new ReplicaLagBench());
        step(run, "replica-jmh", new EmbeddedReplicaLookupBench());
        step(run, "kafka-floor", new KafkaLatencyFloorBench());
        step(run, "newcomer", new NewcomerLookupBench());
        step(run, "takeover", new WriterTakeoverBench());
    }

    /** Runs {@code benchmark} unless {@code --skip} names {@code part}. */
    private static void step(BenchRun run, String part, Benchmark benchmark) throws Exception {
        if (!run.options.skips(part)) {
            benchmark.run(run);
        }
    }

    private void machineFacts(BenchRun run) throws Exception {
        Map<String, Object> m = run.report.machine;
        m.put("date", Instant.now().toString());
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        m.put("cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?"));
        m.put("memory", Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> l.replaceAll("\\s+", " ").substring(10)).orElse("?"));
        m.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("git commit", git("rev-parse", "--short", "HEAD") + (git("status", "--porcelain", "--", ".", ":!bench/results").isBlank() ? "" : " (work tree has uncommitted changes)"));
        String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ", 4);
        m.put("load average at start (1/5/15 min)", load[0] + " / " + load[1] + " / " + load[2]);
        // "wrk -v" prints its version but exits 1; ask the package manager instead.
        m.put("wrk", "wrk " + firstLine(tryRun(List.of("dpkg-query", "-W", "-f=${Version}", "wrk"))) + " (Debian)");
        m.put("nginx", firstLine(tryRun(List.of("nginx", "-v"))));
        m.put("redis", firstLine(tryRun(List.of("redis-server", "--version"))).replaceAll(" sha=.*", ""));
        run.report.config.put("tenants", run.tenants());
        Map<String, String> given = givenFlags();
        run.report.config.put("flags", given.isEmpty() ? "(defaults)" : given.toString());
    }

    /** The flags given on the command line, as given (name without dashes → value), sorted. */
    private Map<String, String> givenFlags() {
        Map<String, String> given = new TreeMap<>();
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            List<String> values = o.originalStringValues();
            String value = values.isEmpty() ? "true" : o.isMultiValue() ? String.join(",", values) : values.get(values.size() - 1);
            given.put(o.longestName().substring(2), value);
        }
        return given;
    }

    private static String git(String... args) {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(Arrays.asList(args));
        return tryRun(cmd).trim();
    }

    private static String tryRun(List<String> cmd) {
        try {
            return Procs.run(cmd, 30);
        } catch (Exception e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse("").trim();
    }
}
