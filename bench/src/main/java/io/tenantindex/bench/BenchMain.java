package io.tenantindex.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.http.MiniHttp;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * {@code ./tenant-index bench}: runs every benchmark of issue 7 on this machine, in one run, and
 * writes {@code bench/results/latest.md} and {@code latest.json}.
 *
 * <p>Order (each step uses what the previous one left): start the local stack as a child JVM
 * (broker, registry, writer, colos ORD/SIN/AMS, sink) → bulk imports in steps up to
 * {@code --tenants}, with a fresh colo JVM replaying the topic after each step (rebuild) → at full
 * size a second fresh colo on the restore path, its warm restart, wrk against it and against
 * nginx, open-loop latency at half the max rate, its RSS → JMH over the store that colo left →
 * PUTs at concurrency 32 → replication lag at a steady rate and at the writer's max. Sizes and
 * durations are flags ({@code --help}). Every JVM gets -Xmx; everything listens on 127.0.0.1.
 */
public final class BenchMain {
    private static final String TOPIC = "tenant-index";
    private static final String USAGE_TOPIC = "tenant-usage";
    private static final int WARM_UP_ROUND_SECONDS = 5;
    private static final String SINK_GROUP = "tenant-index-usage-sink-bench";
    private static final Pattern READY_AFTER = Pattern.compile("ready after (\\d+) ms");

    private final Map<String, String> opts;
    private final Report report = new Report();
    private final Path work;
    private final Path logs;
    private final String classpath = System.getProperty("java.class.path");
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final long tenants;
    private String bootstrap;
    private String registryUrl;
    private int writerPort;
    private final Map<String, Integer> stackColos = new LinkedHashMap<>();
    private int coloSeq;

    private BenchMain(Map<String, String> opts) throws IOException {
        this.opts = opts;
        this.tenants = longOpt("tenants", 1_000_000);
        this.work = opts.containsKey("work-dir") ? Path.of(opts.get("work-dir")) : Files.createTempDirectory("tenant-index-bench-");
        this.logs = work.resolve("logs");
        Files.createDirectories(logs);
    }

    private static final String HELP = """
            ./tenant-index bench [flags]   (defaults finish in < 15 min on 2 cores)
              --tenants N            index size (default 1000000)
              --rebuild-steps A,B    extra sizes at which a fresh replica's rebuild is timed (default 100000)
              --wrk-seconds S        wrk duration per target (default 20); --wrk-connections C (64); --wrk-threads T (2)
              --open-loop-seconds S  open-loop run at half the max rate, per target (default 15)
              --put-seconds S        PUTs at concurrency --put-concurrency (32) (default 15)
              --lag-seconds S        each lag run (default 15); --lag-rate R writes/s (default 1000)
              --jmh-warmup N --jmh-iterations N --jmh-seconds S   (default 3, 5, 5)
              --emission-rounds N    off/on pairs of the usage-emission comparison (default 2)
              --sink-seconds S       window over which the usage-log-sink's throughput is measured (default 30)
              --stack-heap 3g --colo-heap 512m --sink-heap 512m --jmh-heap 1g
              --jfr                  record JFR (profile settings) in the stack and colo JVMs (in the work dir)
              --work-dir D           where data and logs go (default: a new temp dir)
              --out D                results directory (default bench/results)
              --skip a,b             skip parts: rebuild, http, jmh, puts, lag
            """;

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(HELP);
                return;
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a + "\n" + HELP);
            }
            String k = a.substring(2);
            if (k.contains("=")) {
                opts.put(k.substring(0, k.indexOf('=')), k.substring(k.indexOf('=') + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                opts.put(k, args[++i]);
            } else {
                opts.put(k, "true");
            }
        }
        BenchMain bench = new BenchMain(opts);
        int exit = bench.run();
        System.exit(exit);
    }

    private int run() throws Exception {
        long started = System.nanoTime();
        System.out.println("bench: work dir " + work);
        machineFacts();
        Procs.Child stack = startStack();
        Procs.Child nginx = null;
        Procs.Child colo = null;
        int status = 0;
        try {
            List<Long> steps = new ArrayList<>();
            for (String s : opts.getOrDefault("rebuild-steps", "100000").split(",")) {
                if (!s.isBlank() && Long.parseLong(s.trim()) > 0 && Long.parseLong(s.trim()) < tenants) {
                    steps.add(Long.parseLong(s.trim()));
                }
            }
            steps.add(tenants);
            colo = importsAndRebuilds(steps);
            if (colo != null) {
                // Warm restart first: right after the cold start, that replica's background poison check of its
                // bulk-restored records still runs and would share the cores with the rebuild being timed.
                colo = warmRestart(colo);
                inProcessRebuild();
                if (!skip("http")) {
                    nginx = http(colo);
                }
                memory(colo, "after the HTTP benchmarks");
                if (!skip("http") && !skip("emission")) {
                    colo = emission(colo);
                }
                Procs.stop(colo, 60);
                colo = null;
                if (!skip("jmh")) {
                    jmh();
                }
            }
            if (!skip("puts")) {
                puts();
            }
            if (!skip("lag")) {
                lag();
            }
        } catch (Exception e) {
            status = 1;
            report.note("the run failed before finishing: " + e);
            e.printStackTrace();
        } finally {
            if (colo != null) {
                Procs.stop(colo, 60);
            }
            if (nginx != null) {
                Procs.stop(nginx, 10);
            }
            Procs.stop(stack, 90);
        }
        report.config.put("wall time of the whole run", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));
        report.config.put("work dir (logs, data; not committed)", work.toString());
        Path out = Path.of(opts.getOrDefault("out", "bench/results"));
        report.write(out);
        System.out.println("bench: wrote " + out.resolve("latest.md") + " and latest.json");
        return status;
    }

    // ------------------------------------------------------------------ machine

    private void machineFacts() throws Exception {
        Map<String, Object> m = report.machine;
        m.put("date", Instant.now().toString());
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        m.put("cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?"));
        m.put("memory", Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> l.replaceAll("\\s+", " ").substring(10)).orElse("?"));
        m.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("git commit", git("rev-parse", "--short", "HEAD") + (git("status", "--porcelain", "--", ".", ":!bench/results").isBlank() ? "" : " (work tree has uncommitted changes)"));
        m.put("load average at start (1/5/15 min)", Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0] + " / "
                + Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[1] + " / " + Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[2]);
        // "wrk -v" prints its version but exits 1; ask the package manager instead.
        m.put("wrk", "wrk " + firstLine(tryRun(List.of("dpkg-query", "-W", "-f=${Version}", "wrk"))) + " (Debian)");
        m.put("nginx", firstLine(tryRun(List.of("nginx", "-v"))));
        report.config.put("tenants", tenants);
        report.config.put("flags", opts.isEmpty() ? "(defaults)" : new java.util.TreeMap<>(opts).toString());
    }

    private String git(String... args) {
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

    // ------------------------------------------------------------------ stack

    private Procs.Child startStack() throws Exception {
        int kafkaPort = freePort();
        int registryPort = freePort();
        writerPort = freePort();
        for (String c : List.of("ORD", "SIN", "AMS")) {
            stackColos.put(c, freePort());
        }
        bootstrap = "127.0.0.1:" + kafkaPort;
        registryUrl = "http://127.0.0.1:" + registryPort;
        StringBuilder colos = new StringBuilder();
        stackColos.forEach((c, p) -> colos.append(colos.length() == 0 ? "" : ",").append(c).append(':').append(p));
        List<String> cmd = jvm("stack", opts.getOrDefault("stack-heap", "3g"));
        cmd.addAll(List.of("io.tenantindex.launcher.TenantIndexCli", "up", "--data-dir", work.resolve("stack").toString(),
                "--host", "127.0.0.1", "--kafka-port", Integer.toString(kafkaPort), "--registry-port", Integer.toString(registryPort),
                "--writer-port", Integer.toString(writerPort), "--colos", colos.toString(),
                // The usage-log-sink is a service of its own in production; here it runs in its own JVM, only
                // for the sink benchmark, so that it does not share the lookup benchmarks' two cores unseen.
                "--no-sink", "--no-seed"));
        System.out.println("bench: starting the local stack (log: " + logs.resolve("stack.log") + ")");
        Procs.Child stack = Procs.start("stack", cmd, logs);
        stackPid = stack.pid();
        awaitReady(stack, writerPort, 180);
        for (int port : stackColos.values()) {
            awaitReady(stack, port, 180);
        }
        report.config.put("stack", "one JVM (-Xmx" + opts.getOrDefault("stack-heap", "3g") + "): KRaft broker, registry, "
                + "index-writer, colos ORD/SIN/AMS — ./tenant-index up --no-sink on free loopback ports; the usage-log-sink "
                + "runs in its own JVM for the sink benchmark only");
        return stack;
    }

    private List<String> jvm(String name, String heap) {
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError"));
        if (opts.containsKey("jfr")) {
            cmd.add("-XX:StartFlightRecording=filename=" + work.resolve(name + ".jfr") + ",settings=profile,dumponexit=true");
        }
        cmd.addAll(List.of("-cp", classpath));
        return cmd;
    }

    /** Polls GET /health/ready every 20 ms until 200; returns ms since the child was launched. */
    private static double awaitReady(Procs.Child child, int port, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (!child.process().isAlive()) {
                throw new IllegalStateException(child.name() + " exited (" + child.process().exitValue() + "); see " + child.log());
            }
            try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
                if (http.request("GET", "/health/ready", null, null).status() == 200) {
                    return (System.nanoTime() - child.launchedNanos()) / 1e6;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(child.name() + " not ready on port " + port + " after " + timeoutSeconds + " s; see " + child.log());
    }

    // ------------------------------------------------------------------ imports + rebuilds

    /** Returns the fresh colo of the last step, still running (warm restart, HTTP and JMH use it), or null. */
    private Procs.Child importsAndRebuilds(List<Long> steps) throws Exception {
        Procs.Child last = null;
        List<Map<String, Object>> imports = new ArrayList<>();
        List<Map<String, Object>> rebuilds = new ArrayList<>();
        report.details.put("imports", imports);
        report.details.put("new colos (cold start, bulk restore)", rebuilds);
        long done = 0;
        long written = 0;
        double seconds = 0;
        for (long step : steps) {
            System.out.printf("bench: importing tenants %,d … %,d%n", done, step - 1);
            CpuSplit cpu = CpuSplit.start(stackPid);
            LoadTools.ImportResult r = LoadTools.importRange(writerPort, done, step);
            importCpu = cpu.summary();
            long t0 = System.nanoTime();
            awaitStackColosCaughtUp(300);
            double visible = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("tenants", (done) + ".." + (step - 1));
            d.put("lines", r.lines());
            d.put("written", r.written());
            d.put("failed", r.failed());
            d.put("seconds", round(r.seconds()));
            d.put("records_per_s", Math.round(r.perSecond()));
            d.put("then_all_3_colos_caught_up_after_s", round(visible));
            d.put("stack_cpu_during_import", importCpu);
            imports.add(d);
            if (r.failed() > 0) {
                report.note("import " + done + ".." + step + ": " + r.failed() + " lines failed");
            }
            written += r.written();
            seconds += r.seconds();
            done = step;
            boolean lastStep = step == tenants;
            if (!skip("rebuild") || lastStep) {
                Map<String, Object> rebuild = new LinkedHashMap<>();
                Procs.Child c = rebuildFresh(step, rebuild, lastStep);
                rebuilds.add(rebuild);
                if (lastStep) {
                    last = c;
                }
            }
        }
        report.atLeast("Writes", "bulk import (POST /tenants:import)", written / seconds, "tenants/s", 150_000,
                String.format(Locale.ROOT, "%,d tenants in %d NDJSON request(s) of sizes %s, each streamed (chunked) from the bench "
                        + "JVM over loopback; value = lines written ÷ wall time from request start to the response "
                        + "(the writer answers once every line is committed to Kafka). The three colos of the stack "
                        + "consume concurrently, on the same 2 cores. During the last request %s", written, steps.size(), steps,
                        importCpu));
        if (!rebuilds.isEmpty()) {
            Map<String, Object> lastRebuild = rebuilds.get(rebuilds.size() - 1);
            double s = ((Number) lastRebuild.get("ready_after_launch_ms")).doubleValue() / 1000;
            double internal = ((Number) lastRebuild.get("colo_reported_ready_ms")).doubleValue() / 1000;
            report.add("Rebuild", "new colo (cold start), " + fmtCount(tenants) + " tenants, launch → ready", s, "s",
                    "a new colo JVM (-Xmx" + opts.getOrDefault("colo-heap", "512m") + ", new colo code = new application id "
                            + "and consumer group, empty state dir; bulk restore): time from process launch until GET "
                            + "/health/ready answers 200 (polled every 20 ms); includes JVM and Kafka Streams start");
            report.add("Rebuild", "  same, as reported by the colo (materializer start → ready)", internal, "s",
                    "the colo's own log line 'ready after N ms' (from ColoMaterializer construction, excludes JVM start)");
            report.add("Rebuild", "  replay rate (cold start)", ((Number) lastRebuild.get("records_per_s_by_colo_clock")).doubleValue(),
                    "records/s", "records re-read from Kafka (/stats reReadRecords) ÷ the colo-reported time to ready");
            for (Map<String, Object> r : rebuilds.subList(0, rebuilds.size() - 1)) {
                report.add("Rebuild", "  new colo (cold start), " + fmtCount(((Number) r.get("tenants")).longValue()) + " tenants, launch → ready",
                        ((Number) r.get("ready_after_launch_ms")).doubleValue() / 1000, "s",
                        "as above, at this earlier size of the same topic (growth)");
            }
        }
        return last;
    }

    /** All three stack colos have applied every partition up to the last committed record. */
    private void awaitStackColosCaughtUp(long timeoutSeconds) throws Exception {
        Map<Integer, Long> ends = endOffsets(TOPIC);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (int port : stackColos.values()) {
            while (!caughtUp(port, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("colo on port " + port + " did not catch up in " + timeoutSeconds + " s");
                }
                Thread.sleep(50);
            }
        }
    }

    private static boolean caughtUp(int port, Map<Integer, Long> ends) {
        try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
            JsonNode stats = Json.MAPPER.readTree(http.request("GET", "/stats", null, null).body());
            for (Map.Entry<Integer, Long> e : ends.entrySet()) {
                long applied = stats.path("position").path(Integer.toString(e.getKey())).asLong(-1);
                // The end offset is past the last transaction's commit marker: last record = end − 2.
                if (e.getValue() > 0 && applied < e.getValue() - 2) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Admin admin() {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    private Map<Integer, Long> endOffsets(String topic) throws Exception {
        try (Admin admin = admin()) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                q.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<Integer, Long> out = new java.util.TreeMap<>();
            admin.listOffsets(q).all().get().forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        }
    }

    private record Colo(String code, Path stateDir, int port) {
    }

    private Colo newColo(String prefix) {
        coloSeq++;
        String code = prefix + coloSeq;
        return new Colo(code, work.resolve("colo-" + code), freePortUnchecked());
    }

    private Procs.Child launchColo(Colo c) throws IOException {
        return launchColo(c, true);
    }

    private Procs.Child launchColo(Colo c, boolean usageEmission) throws IOException {
        List<String> cmd = jvm("colo-" + c.code(), opts.getOrDefault("colo-heap", "512m"));
        cmd.addAll(List.of("io.tenantindex.lookup.ColoServer", "--colo", c.code(), "--http-host", "127.0.0.1",
                "--http-port", Integer.toString(c.port()), "--bootstrap-servers", bootstrap, "--registry-url", registryUrl,
                "--state-dir", c.stateDir().toString(),
                // As in the local stack, which owns its registry: the usage emitter registers its schema. Without it
                // every usage event costs a failing registry round trip (found by profiling this bench).
                "--registry-auto-register", "true", "--usage-emitter-enabled", Boolean.toString(usageEmission)));
        return Procs.start("colo-" + c.code(), cmd, logs);
    }

    /**
     * A brand-new colo (new application id, empty state) replays the topic; measured from process launch.
     * When {@code keep}, the colo keeps running and becomes the bench's colo under test.
     */
    private Procs.Child rebuildFresh(long size, Map<String, Object> d, boolean keep) throws Exception {
        Colo c = newColo("RB");
        System.out.printf("bench: rebuild of %,d tenants into fresh colo %s%n", size, c.code());
        Procs.Child child = launchColo(c);
        boolean ok = false;
        try {
            d.put("tenants", size);
            d.put("colo", c.code());
            d.putAll(readyWithProgress(child, c.port()));
            d.put("rss_at_ready_mib", Procs.procStatusKib(child.pid(), "VmRSS") / 1024);
            ok = true;
        } finally {
            if (!keep || !ok) {
                Procs.stop(child, 60);
            }
        }
        if (keep) {
            current = c;
            memory(child, "right after its rebuild");
        }
        return keep ? child : null;
    }

    /** Waits for readiness while sampling /stats every 100 ms (records re-read over time). */
    private Map<String, Object> readyWithProgress(Procs.Child child, int port) throws Exception {
        List<long[]> curve = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        Map<String, Object> d = new LinkedHashMap<>();
        long lastSample = 0;
        while (true) {
            if (System.nanoTime() > deadline || !child.process().isAlive()) {
                throw new IllegalStateException(child.name() + " did not become ready; see " + child.log());
            }
            try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
                if (http.request("GET", "/health/ready", null, null).status() == 200) {
                    d.put("ready_after_launch_ms", Math.round((System.nanoTime() - child.launchedNanos()) / 1e6));
                    break;
                }
                if (System.nanoTime() - lastSample > 100_000_000) {
                    lastSample = System.nanoTime();
                    JsonNode s = Json.MAPPER.readTree(http.request("GET", "/stats", null, null).body());
                    curve.add(new long[] {(lastSample - child.launchedNanos()) / 1_000_000, s.path("reReadRecords").asLong()});
                }
            } catch (IOException notYet) {
                // HTTP not bound yet
            }
            Thread.sleep(20);
        }
        JsonNode stats;
        try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
            stats = Json.MAPPER.readTree(http.request("GET", "/stats", null, null).body());
        }
        Thread.sleep(300); // let the log line land
        long internal = Procs.lastMatch(child.log(), READY_AFTER);
        long reRead = stats.path("reReadRecords").asLong();
        d.put("colo_reported_ready_ms", internal);
        d.put("re_read_records", reRead);
        d.put("restored_records", stats.path("restoredRecords").asLong());
        d.put("records_per_s_by_colo_clock", internal > 0 ? Math.round(reRead * 1000.0 / internal) : -1);
        List<String> marks = new ArrayList<>();
        for (double f : new double[] {0.1, 0.25, 0.5, 0.75, 1.0}) {
            long want = (long) (reRead * f);
            curve.stream().filter(s -> s[1] >= want && want > 0).findFirst()
                    .ifPresent(s -> marks.add(String.format(Locale.ROOT, "%,d records by %,d ms", want, s[0])));
        }
        d.put("progress_since_launch (from /stats every 100 ms)", marks);
        return d;
    }

    // ------------------------------------------------------------------ restore path, warm restart, memory

    /**
     * Issue 7's rebuild figure: the colo's own blue/green rebuild ({@code POST /admin/rebuild}) of the
     * whole index into a new generation while the current one keeps serving, timed by the colo's
     * rebuild progress (start → switched).
     */
    private void inProcessRebuild() throws Exception {
        System.out.printf("bench: blue/green rebuild of colo %s (POST /admin/rebuild)%n", current.code());
        JsonNode progress;
        try (MiniHttp http = new MiniHttp(LoadTools.HOST, current.port())) {
            MiniHttp.Response started = http.request("POST", "/admin/rebuild", null, new byte[0]);
            if (started.status() != 202) {
                throw new IllegalStateException("POST /admin/rebuild answered " + started.status() + ": " + new String(started.body()));
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            do {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the rebuild of colo " + current.code() + " did not finish in 10 minutes");
                }
                Thread.sleep(50);
                progress = Json.MAPPER.readTree(http.request("GET", "/admin/rebuild", null, null).body());
            } while (!progress.path("state").asText().equals("done"));
        }
        double seconds = Duration.between(Instant.parse(progress.path("startedAt").asText()),
                Instant.parse(progress.path("finishedAt").asText())).toMillis() / 1000.0;
        report.details.put("blue/green rebuild (POST /admin/rebuild)", progress);
        report.atMost("Rebuild", "blue/green rebuild of " + fmtCount(tenants) + " tenants in a serving colo", seconds, "s", 3,
                "POST /admin/rebuild on the colo under test: a new generation (new consumer group, empty store) loads the "
                        + "index by bulk restore while the current one serves; time from the rebuild's start to the switch, "
                        + "from the colo's GET /admin/rebuild (startedAt → finishedAt)");
        report.add("Rebuild", "  replay rate", progress.path("recordsPerSecond").asDouble(), "records/s",
                String.format(Locale.ROOT, "%,d records applied ÷ the time above", progress.path("recordsApplied").asLong()));
    }

    private Colo current;
    private long stackPid;
    private String importCpu = "";

    /**
     * Issue 6's target: what usage emission costs a lookup. The same colo (same state) is restarted
     * with emission off, then on, and measured with the same wrk run after the same warm-up. The
     * events go to the stack's broker; the sink, a separate service, is not running meanwhile. Then
     * the sink's own throughput on the backlog those runs left, and one more run with it consuming
     * on the same two cores (what a single machine running everything would see).
     */
    private Procs.Child emission(Procs.Child colo) throws Exception {
        Path lua = work.resolve("random-tenant.lua");
        int seconds = (int) longOpt("wrk-seconds", 20);
        int conns = (int) longOpt("wrk-connections", 64);
        int threads = (int) longOpt("wrk-threads", 2);
        // Off and on alternate (off, on, off, on, …; each a restart and a JIT warm-up) and the medians are
        // compared: single runs on this shared machine differ by ±10-15%, as much as the target itself.
        int rounds = (int) longOpt("emission-rounds", 2);
        Map<Boolean, List<Double>> rps = Map.of(false, new ArrayList<>(), true, new ArrayList<>());
        Map<Boolean, List<Double>> cpuPerLookup = Map.of(false, new ArrayList<>(), true, new ArrayList<>());
        long errs = 0;
        Procs.Child running = colo;
        for (int round = 0; round < rounds; round++) {
            for (boolean on : List.of(false, true)) {
                Procs.stop(running, 60);
                System.out.println("bench: colo " + current.code() + " with usage emission " + (on ? "on" : "off"));
                running = launchColo(current, on);
                awaitReady(running, current.port(), 300);
                warmUp(running, current.port(), lua, threads, conns);
                long before = Procs.cpuTicks(running.pid()) + Procs.cpuTicks(stackPid);
                JsonNode w = wrk(current.port(), lua, threads, conns, seconds);
                long used = Procs.cpuTicks(running.pid()) + Procs.cpuTicks(stackPid) - before;
                rps.get(on).add(rps(w));
                cpuPerLookup.get(on).add(used * 1e6 / Procs.TICKS_PER_SECOND / w.path("requests").asLong());
                errs += errors(w);
            }
        }
        double off = median(rps.get(false));
        double on = median(rps.get(true));
        String how = String.format(Locale.ROOT, "the colo restarted on the same state with --usage-emitter-enabled false, then "
                + "true, %d times each, alternating; each run after a JIT warm-up (as above) is wrk -t%d -c%d -d%ds with the "
                + "random-tenant script; median of the runs (off %s, on %s req/s); errors %d. The events go to the stack's broker "
                + "on the same cores; the usage-log-sink is not running (a service of its own, measured below)",
                rounds, threads, conns, seconds, fmtList(rps.get(false)), fmtList(rps.get(true)), errs);
        report.add("Usage emission", "lookups/s with emission off", off, "req/s", how);
        report.add("Usage emission", "lookups/s with emission on", on, "req/s", "same runs");
        report.atMost("Usage emission", "throughput cost of emission (1 − on ÷ off)", Math.max(0, (1 - on / off) * 100), "%", 10,
                "ratio of the two medians above");
        report.add("Usage emission", "  CPU per lookup, colo + broker, emission off", median(cpuPerLookup.get(false)), "µs",
                "CPU time of the colo JVM and the stack JVM (broker) during each wrk run ÷ its requests, from /proc; median; runs: "
                        + fmtList(cpuPerLookup.get(false)));
        report.add("Usage emission", "  CPU per lookup, colo + broker, emission on", median(cpuPerLookup.get(true)), "µs",
                "same; runs: " + fmtList(cpuPerLookup.get(true)));

        Procs.Child sink = startSink();
        try {
            sinkThroughput();
            JsonNode shared = wrk(current.port(), lua, threads, conns, seconds);
            report.add("Usage emission", "  lookups/s with emission on and the sink consuming on the same 2 cores", rps(shared), "req/s",
                    "the same wrk run while the usage-log-sink JVM aggregates the live events (and what is left of the backlog); "
                            + "errors " + errors(shared));
        } finally {
            Procs.stop(sink, 60);
        }
        return running;
    }

    private Procs.Child startSink() throws IOException {
        List<String> cmd = jvm("sink", opts.getOrDefault("sink-heap", "512m"));
        cmd.addAll(List.of("io.tenantindex.sink.UsageSink", "--bootstrap-servers", bootstrap, "--registry-url", registryUrl,
                "--state-dir", work.resolve("sink").toString(), "--http-host", "127.0.0.1",
                "--sink-http-port", Integer.toString(freePort()), "--sink-application-id", SINK_GROUP));
        System.out.println("bench: usage-log-sink on the usage events of the runs above");
        return Procs.start("sink", cmd, logs);
    }

    /**
     * Issue 6's sink measure: events/s the sink aggregates on 2 cores (exactly-once, two window stores),
     * from its group's committed offsets over a fixed window while it works through the backlog.
     */
    private void sinkThroughput() throws Exception {
        long backlog = endOffsets(USAGE_TOPIC).values().stream().mapToLong(Long::longValue).sum();
        int window = (int) longOpt("sink-seconds", 30);
        long deadline = System.nanoTime() + 180_000_000_000L;
        long first;
        while ((first = committed(SINK_GROUP)) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the usage-log-sink committed nothing within 180 s; see " + logs.resolve("sink.log"));
            }
            Thread.sleep(100);
        }
        long t0 = System.nanoTime();
        long last = first;
        while (System.nanoTime() - t0 < window * 1_000_000_000L && last < backlog) {
            Thread.sleep(250);
            last = committed(SINK_GROUP);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        report.add("Usage sink", "events aggregated per second (backlog)", (last - first) / secs, "events/s", String.format(Locale.ROOT,
                "the usage-log-sink in its own JVM (-Xmx%s; exactly-once, per-minute and per-hour RocksDB window stores) started "
                        + "on the %,d usage events the lookup runs above left; committed offsets of its group, from its first commit "
                        + "for %.0f s (or until caught up): %,d events; the stack's broker on the same 2 cores",
                opts.getOrDefault("sink-heap", "512m"), backlog, secs, last - first));
    }

    private long committed(String group) throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(USAGE_TOPIC) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    /** SIGTERM (clean close, leaves the group), then the same colo on the same state dir: launch → ready. */
    private Procs.Child warmRestart(Procs.Child child) throws Exception {
        Procs.stop(child, 60);
        System.out.println("bench: warm restart of colo " + current.code());
        Procs.Child again = launchColo(current);
        double ms = awaitReady(again, current.port(), 300);
        Thread.sleep(300);
        long internal = Procs.lastMatch(again.log(), READY_AFTER);
        JsonNode stats;
        try (MiniHttp http = new MiniHttp(LoadTools.HOST, current.port())) {
            stats = Json.MAPPER.readTree(http.request("GET", "/stats", null, null).body());
        }
        report.atMost("Rebuild", "warm restart, " + fmtCount(tenants) + " tenants, launch → ready", ms / 1000, "s", 2,
                "the colo JVM above stopped with SIGTERM (clean close) and started again on the same state dir: process "
                        + "launch → GET /health/ready 200 (polled every 20 ms), includes JVM start (class loading of "
                        + "Kafka Streams, RocksDB, Javalin)");
        report.add("Rebuild", "  same, as reported by the colo (materializer start → ready)", internal / 1000.0, "s",
                "the colo's own 'ready after N ms' log line; records re-read from Kafka: " + stats.path("reReadRecords").asLong());
        return again;
    }

    private void memory(Procs.Child colo, String when) {
        long rss = Procs.procStatusKib(colo.pid(), "VmRSS");
        long hwm = Procs.procStatusKib(colo.pid(), "VmHWM");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("VmRSS_kib", rss);
        d.put("VmHWM_kib", hwm);
        report.details.put("colo memory " + when, d);
        report.atMost("Memory", "colo RSS with " + fmtCount(tenants) + " tenants, " + when, rss / 1024.0, "MiB", 1024,
                "VmRSS of the colo JVM (-Xmx" + opts.getOrDefault("colo-heap", "512m") + ", one colo, Kafka Streams + RocksDB "
                        + "+ Javalin + usage emitter) from /proc/<pid>/status; peak (VmHWM) " + hwm / 1024 + " MiB");
    }

    // ------------------------------------------------------------------ HTTP

    private Procs.Child http(Procs.Child colo) throws Exception {
        int port = current.port();
        byte[] sample;
        try (MiniHttp h = new MiniHttp(LoadTools.HOST, port)) {
            MiniHttp.Response r = h.request("GET", "/tenants/" + Tenants.id(tenants / 2), null, null);
            if (r.status() != 200) {
                throw new IllegalStateException("sample lookup answered " + r.status());
            }
            sample = r.body();
        }
        Path ngx = work.resolve("nginx");
        Files.createDirectories(ngx.resolve("www"));
        Files.createDirectories(ngx.resolve("tmp"));
        Files.write(ngx.resolve("www/body.json"), sample);
        int nginxPort = freePort();
        Files.writeString(ngx.resolve("nginx.conf"), """
                user root;
                worker_processes auto;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                  access_log off;
                  sendfile on;
                  tcp_nodelay on;
                  keepalive_requests 100000000;
                  keepalive_timeout 120s;
                  client_body_temp_path %1$s/tmp/body;
                  proxy_temp_path %1$s/tmp/proxy;
                  fastcgi_temp_path %1$s/tmp/fastcgi;
                  uwsgi_temp_path %1$s/tmp/uwsgi;
                  scgi_temp_path %1$s/tmp/scgi;
                  server {
                    listen 127.0.0.1:%2$d;
                    root %1$s/www;
                    location / { default_type application/json; try_files /body.json =404; }
                  }
                }
                """.formatted(ngx, nginxPort));
        Procs.Child nginx = Procs.start("nginx", List.of("nginx", "-p", ngx.toString(), "-c", ngx.resolve("nginx.conf").toString()), logs);
        Thread.sleep(500);
        if (!nginx.process().isAlive()) {
            throw new IllegalStateException("nginx did not start; see " + nginx.log());
        }
        Path lua = work.resolve("random-tenant.lua");
        Files.writeString(lua, """
                -- GET /tenants/<random id of %1$d> per request; prints one JSON line at the end.
                local n = %1$d
                local counter = 0
                function setup(thread) counter = counter + 1; thread:set("id", counter) end
                function init(args) math.randomseed(os.time() * 1000 + (id or 0)) end
                function request() return wrk.format("GET", string.format("/tenants/tn-%%08d", math.random(0, n - 1))) end
                function done(summary, latency, requests)
                  local e = summary.errors
                  io.write(string.format('WRKJSON {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,"max_us":%%d,"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d}\\n',
                    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
                    e.connect, e.read, e.write, e.status, e.timeout))
                end
                """.formatted(tenants));
        int seconds = (int) longOpt("wrk-seconds", 20);
        int conns = (int) longOpt("wrk-connections", 64);
        int threads = (int) longOpt("wrk-threads", 2);
        System.out.println("bench: wrk warm-up against the colo and nginx");
        String warm = warmUp(colo, port, lua, threads, conns);
        wrk(nginxPort, lua, threads, conns, 3);
        System.out.println("bench: wrk against the colo, then nginx");
        JsonNode c = wrk(port, lua, threads, conns, seconds);
        JsonNode n = wrk(nginxPort, lua, threads, conns, seconds);
        double coloRps = rps(c);
        double nginxRps = rps(n);
        report.details.put("wrk colo", c);
        report.details.put("wrk nginx", n);
        String how = String.format(Locale.ROOT, "wrk -t%d -c%d -d%ds (closed loop, keep-alive) over loopback, a Lua script "
                + "picking a random tenant of %,d per request (GET /tenants/tn-NNNNNNNN); colo %s; nginx: 3 s; errors/non-2xx: "
                + "colo %d, nginx %d", threads, conns, seconds, tenants, warm, errors(c), errors(n));
        report.add("Lookup over HTTP", "colo max throughput", coloRps, "req/s", how);
        report.add("Lookup over HTTP", "nginx baseline max throughput", nginxRps, "req/s",
                "the same wrk and script against Debian nginx (" + report.machine.get("nginx") + ", worker_processes auto, access_log "
                        + "off, keepalive_requests unlimited) serving a static file of the same size as the colo's body ("
                        + sample.length + " bytes: the colo's answer for one tenant), on its own loopback port");
        report.atLeast("Lookup over HTTP", "colo ÷ nginx throughput", coloRps / nginxRps, "×", 0.5, "ratio of the two figures above");
        report.add("Lookup over HTTP", "colo p50 at max (wrk)", c.path("p50_us").asDouble() / 1000, "ms", "wrk's latency percentile (closed loop)");
        report.add("Lookup over HTTP", "colo p99 at max (wrk)", c.path("p99_us").asDouble() / 1000, "ms", "wrk's latency percentile (closed loop)");
        report.add("Lookup over HTTP", "nginx p50 / p99 at max (wrk)", n.path("p50_us").asDouble() / 1000, "ms",
                "p99 " + n.path("p99_us").asDouble() / 1000 + " ms");

        double half = coloRps / 2;
        int olSeconds = (int) longOpt("open-loop-seconds", 15);
        // As many connections as wrk used: with fewer, one pause (a GC, a descheduled thread) leaves every
        // connection behind its schedule for longer than the colo needs to catch up.
        int olConns = conns;
        System.out.printf("bench: open loop at %.0f req/s (half the colo's max) against the colo, then nginx%n", half);
        LoadTools.OpenLoopResult oc = LoadTools.openLoopGet(port, i -> "/tenants/" + Tenants.id(i), half, olConns, olSeconds, tenants);
        LoadTools.OpenLoopResult on = LoadTools.openLoopGet(nginxPort, i -> "/tenants/" + Tenants.id(i), half, olConns, olSeconds, tenants);
        report.details.put("open loop colo", olDetails(oc));
        report.details.put("open loop nginx", olDetails(on));
        String olHow = String.format(Locale.ROOT, "open-loop Java generator in the bench JVM (wrk2 is not in Debian; wrk with fewer "
                + "connections is still closed-loop and hides queueing): %.0f req/s = half the colo's wrk max, spread over %d keep-alive "
                + "connections with a fixed schedule; latency measured from each request's scheduled send time (coordinated-omission "
                + "corrected), %d s, random tenants; achieved %.0f req/s, errors %d", half, olConns, olSeconds, oc.perSecond(), oc.errors());
        report.atMost("Lookup over HTTP", "colo p99 at half the max rate", ms(oc.latencies().percentile(99)), "ms", 2, olHow);
        report.add("Lookup over HTTP", "  colo p50 at half the max rate", ms(oc.latencies().percentile(50)), "ms", "same run");
        report.add("Lookup over HTTP", "  nginx p99 at the same rate", ms(on.latencies().percentile(99)), "ms",
                "the same generator and rate against nginx (p50 " + ms(on.latencies().percentile(50)) + " ms), same run");
        return nginx;
    }

    /** wrk against a freshly started colo JVM until its JIT has settled (see {@link #warmUntilJitSettles}). */
    private String warmUp(Procs.Child jvm, int port, Path lua, int threads, int conns) throws Exception {
        return warmUntilJitSettles(jvm.pid(), "the colo JVM", () -> wrk(port, lua, threads, conns, WARM_UP_ROUND_SECONDS));
    }

    /** One warm-up round: {@value #WARM_UP_ROUND_SECONDS} s of the load about to be measured. */
    private interface WarmUpRound {
        void run() throws Exception;
    }

    /**
     * Repeats {@code round} until the JIT of {@code pid} has settled: a JVM's C2 compiler keeps a core
     * busy for tens of seconds under a new load, and a measurement taken meanwhile measures the
     * compiler. Rounds until the C2 threads used under 5% of a round's wall time (at most 18 rounds);
     * returns the rounds' count and the compiler's share in the last one, for the report.
     */
    private static String warmUntilJitSettles(long pid, String jvm, WarmUpRound round) throws Exception {
        int rounds = 0;
        double share;
        do {
            long before = Procs.jitCpuTicks(pid);
            round.run();
            share = (Procs.jitCpuTicks(pid) - before) / (double) Procs.TICKS_PER_SECOND / WARM_UP_ROUND_SECONDS;
            rounds++;
        } while (share > 0.05 && rounds < 18);
        return String.format(Locale.ROOT, "warm-up: %d × %d s of the same load until the C2 compiler threads of %s used "
                + "< 5%% of a core (last round: %.0f%%)", rounds, WARM_UP_ROUND_SECONDS, jvm, share * 100);
    }

    private JsonNode wrk(int port, Path lua, int threads, int conns, int seconds) throws Exception {
        String out = Procs.run(List.of("wrk", "-t" + threads, "-c" + conns, "-d" + seconds + "s", "--timeout", "5s",
                "-s", lua.toString(), "http://127.0.0.1:" + port + "/"), seconds + 60L);
        Files.writeString(logs.resolve("wrk.log"), out + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        String line = out.lines().filter(l -> l.startsWith("WRKJSON ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no result line from wrk: " + LoadTools.abbreviate(out)));
        return Json.MAPPER.readTree(line.substring(8));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String fmtList(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).collect(Collectors.joining(" / "));
    }

    private static double rps(JsonNode w) {
        return (w.path("requests").asLong() - errors(w)) / (w.path("duration_us").asDouble() / 1e6);
    }

    private static long errors(JsonNode w) {
        return w.path("connect").asLong() + w.path("read").asLong() + w.path("write").asLong() + w.path("status").asLong()
                + w.path("timeout").asLong();
    }

    private static Map<String, Object> olDetails(LoadTools.OpenLoopResult r) {
        Map<String, Object> d = new LinkedHashMap<>(r.latencies().summaryMs());
        d.put("target_rate", Math.round(r.targetRate()));
        d.put("achieved_rate", Math.round(r.perSecond()));
        d.put("errors", r.errors());
        return d;
    }

    // ------------------------------------------------------------------ JMH

    private void jmh() throws Exception {
        System.out.println("bench: JMH over colo " + current.code() + "'s store (forked JVM; log " + logs.resolve("jmh.log") + ")");
        Options o = new OptionsBuilder()
                .include(LookupBenchmark.class.getName())
                .include(StoreFloorBenchmark.class.getName())
                .forks(1)
                .threads(1)
                .warmupIterations((int) longOpt("jmh-warmup", 3))
                .warmupTime(TimeValue.seconds(longOpt("jmh-seconds", 5)))
                .measurementIterations((int) longOpt("jmh-iterations", 5))
                .measurementTime(TimeValue.seconds(longOpt("jmh-seconds", 5)))
                .jvmArgs("-Xmx" + opts.getOrDefault("jmh-heap", "1g"), "-XX:+UseG1GC",
                        "-Dbench.bootstrap=" + bootstrap, "-Dbench.registry=" + registryUrl, "-Dbench.colo=" + current.code(),
                        "-Dbench.stateDir=" + current.stateDir(), "-Dbench.tenants=" + tenants,
                        "-DTENANT_INDEX_LOG_LEVEL=WARN")
                .output(logs.resolve("jmh.log").toString())
                .build();
        for (RunResult r : new Runner(o).run()) {
            String bench = r.getParams().getBenchmark();
            String name = bench.substring(bench.lastIndexOf('.') + 1);
            Statistics s = r.getPrimaryResult().getStatistics();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("samples", s.getN());
            d.put("mean_ns", Math.round(s.getMean()));
            for (double p : new double[] {50, 90, 99, 99.9, 99.99}) {
                d.put("p" + Report.fmt(p) + "_ns", Math.round(s.getPercentile(p)));
            }
            d.put("max_ns", Math.round(s.getMax()));
            report.details.put("jmh " + name, d);
            String what = switch (name) {
                case "lookup" -> "IndexReplica#lookup on the colo's RebuildableReplica: a get on the partition's store "
                        + "(interactive query, RocksDB) + Avro decode";
                case "lookupAndBody" -> "lookup + TenantJson.of + JSON bytes with the colo's ObjectMapper (the GET /tenants/{id} "
                        + "path minus HTTP, readiness headers and usage emission)";
                case "rawGet" -> "the floor: the same RocksDB files opened read-only with plain RocksDB JNI (no Kafka Streams; 50 MB "
                        + "block cache and bloom filters per store, as Streams configures them), one get per call";
                default -> "the floor: the Confluent-framed Avro decode alone (the colo's IndexRecordSerde) of stored values read up front";
            };
            String how = String.format(Locale.ROOT, "JMH SampleTime, 1 thread, 1 fork (-Xmx%s), %d×%d s warm-up, %d×%d s measured, "
                    + "%,d samples; a random tenant of %,d per call; over the RocksDB store colo %s built and served (Kafka Streams "
                    + "reopened on its state dir, caught up before measuring). %s", opts.getOrDefault("jmh-heap", "1g"),
                    longOpt("jmh-warmup", 3), longOpt("jmh-seconds", 5), longOpt("jmh-iterations", 5), longOpt("jmh-seconds", 5),
                    s.getN(), tenants, current.code(), what);
            switch (name) {
                case "lookupAndBody" -> {
                    report.atMost("Lookup in process", "get + decode + body: p99", s.getPercentile(99), "ns", 5_000, how);
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

    // ------------------------------------------------------------------ writes and lag

    private void puts() throws Exception {
        int c = (int) longOpt("put-concurrency", 32);
        double seconds = longOpt("put-seconds", 15);
        System.out.printf("bench: PUTs at concurrency %d for %.0f s%n", c, seconds);
        // A 2 s warm-up left C2 with 37% of the stack's CPU during the measured run.
        String warm = warmUntilJitSettles(stackPid, "the stack JVM", () -> LoadTools.puts(writerPort, c, WARM_UP_ROUND_SECONDS, tenants));
        CpuSplit cpu = CpuSplit.start(stackPid);
        LoadTools.PutResult r = LoadTools.puts(writerPort, c, seconds, tenants);
        String cpuSplit = cpu.summary();
        Map<String, Object> d = new LinkedHashMap<>(r.latencies().summaryMs());
        d.put("ok", r.ok());
        d.put("errors", r.errors());
        d.put("req_per_s", Math.round(r.perSecond()));
        report.details.put("puts c=" + c, d);
        String how = String.format(Locale.ROOT, "%d keep-alive connections from the bench JVM, each PUT /tenants/{random existing "
                + "tenant} back to back (closed loop) for %.0f s; %s; latency = request sent → 2xx with token "
                + "(committed to Kafka); errors %d. Meanwhile %s", c, seconds, warm, r.errors(), cpuSplit);
        report.add("Writes", "PUT throughput at concurrency " + c, r.perSecond(), "req/s", how);
        report.atMost("Writes", "PUT p99 at concurrency " + c, ms(r.latencies().percentile(99)), "ms", 10, how);
        report.add("Writes", "  PUT p50 at concurrency " + c, ms(r.latencies().percentile(50)), "ms", "same run");
    }

    private void lag() throws Exception {
        int[] ports = stackColos.values().stream().mapToInt(Integer::intValue).toArray();
        double seconds = longOpt("lag-seconds", 15);
        double rate = longOpt("lag-rate", 1000);
        System.out.printf("bench: replication lag at %.0f writes/s for %.0f s%n", rate, seconds);
        CpuSplit cpu = CpuSplit.start(stackPid);
        LoadTools.LagResult s = LoadTools.lagSteady(writerPort, ports, rate, 32, seconds, tenants);
        String cpuSplit = cpu.summary();
        String commits = streamsCommitLatency(ports[0]);
        report.details.put("lag steady", lagDetails(s));
        String how = String.format(Locale.ROOT, "open loop, %.0f PUT/s scheduled over 32 workers (each PUT then checks, so a worker is busy per write) for %.0f s (achieved %.0f "
                + "writes/s); after each ack the tokened GET /tenants/{id} (X-Consistency-Token = the ack's token, ?wait=5000) "
                + "is sent to ORD, SIN and AMS at once and the three answers read: lag = last answer's arrival − ack (includes one "
                + "loopback HTTP round trip); %d writes checked, %d checks failed. Meanwhile %s; colo ORD's stream thread "
                + "(exactly-once, a transaction per commit every 100 ms), Kafka Streams metrics right after the run: %s",
                rate, seconds, s.writesPerSecond(), s.checked(), s.failedChecks(), cpuSplit, commits);
        report.atMost("Replication lag", "ack → visible in all 3 colos at " + (long) rate + " writes/s: p99",
                ms(s.lag().percentile(99)), "ms", 20, how);
        report.add("Replication lag", "  p50 / max at " + (long) rate + " writes/s", ms(s.lag().percentile(50)), "ms",
                "max " + ms(s.lag().max()) + " ms; PUT p99 from scheduled time " + ms(s.put().percentile(99)) + " ms");

        int c = (int) longOpt("put-concurrency", 32);
        System.out.printf("bench: replication lag at the writer's max (c=%d) for %.0f s%n", c, seconds);
        LoadTools.LagResult m = LoadTools.lagAtMax(writerPort, ports, c, 8, seconds, tenants);
        report.details.put("lag at max", lagDetails(m));
        String mhow = String.format(Locale.ROOT, "%d connections PUT back to back (the writer's max on this machine: %.0f writes/s "
                + "achieved while checked); 8 checker threads take acks from a queue and check each in all three colos as above "
                + "(%d of %d writes checked, the rest skipped when the queue was full). Lag includes the queue pickup delay (p99 "
                + "%.3f ms), so it is an upper bound; %d checks failed", c, m.writesPerSecond(), m.checked(), m.writes(),
                ms(m.pickup().percentile(99)), m.failedChecks());
        report.add("Replication lag", "at the writer's max: p50", ms(m.lag().percentile(50)), "ms", mhow);
        report.add("Replication lag", "at the writer's max: p99", ms(m.lag().percentile(99)), "ms", "same run");
        report.add("Replication lag", "at the writer's max: max", ms(m.lag().max()), "ms", "same run");
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

    private static Map<String, Object> lagDetails(LoadTools.LagResult r) {
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

    // ------------------------------------------------------------------ helpers

    private boolean skip(String part) {
        return Arrays.asList(opts.getOrDefault("skip", "").split(",")).contains(part);
    }

    private long longOpt(String name, long dflt) {
        return opts.containsKey(name) ? Long.parseLong(opts.get(name).replace("_", "")) : dflt;
    }

    private static double ms(long nanos) {
        return Latencies.ms(nanos);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String fmtCount(long n) {
        return n >= 1_000_000 && n % 1_000_000 == 0 ? (n / 1_000_000) + "M" : n >= 1000 && n % 1000 == 0 ? (n / 1000) + "k" : Long.toString(n);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int freePortUnchecked() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
