package io.tenantindex.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The other HTTP floor, what a user would pick instead of a colo: Debian's Redis, a replica of a
 * primary (both child processes on reserved loopback ports, no persistence), one key per tenant
 * holding a value of the colo's answer size, and {@code redis-benchmark} GETs of random keys against
 * the replica with as many connections and threads as wrk uses (closed loop, keep-alive). Throughput
 * and latency percentiles are redis-benchmark's own ({@code --csv}); the request count is set so a
 * run lasts about {@code --wrk-seconds}, from a first calibration run.
 */
final class RedisFloorBench implements Benchmark {
    private static final int CALIBRATION_REQUESTS = 100_000;

    /** One redis-benchmark run, from its --csv line. */
    private record Result(double rps, double p50Ms, double p99Ms, String csv) {
    }

    @Override
    public void run(BenchRun run) throws Exception {
        byte[] value = HttpLookupBench.sampleAnswer(run);
        long keys = run.tenants();
        int primaryPort = Ports.reserve();
        int replicaPort = Ports.reserve();
        Procs.Child primary = startRedis(run, "redis-primary", primaryPort, List.of());
        Procs.Child replica = null;
        try {
            replica = startRedis(run, "redis-replica", replicaPort, List.of("--replicaof", LoadTools.HOST, Integer.toString(primaryPort)));
            System.out.printf("bench: Redis floor: %,d keys of %d bytes into the primary, then GETs on its replica%n", keys, value.length);
            populate(run, primaryPort, keys, value);
            awaitReplica(replicaPort, keys, 300);
            int threads = (int) run.options.wrkThreads;
            int conns = (int) run.options.wrkConnections;
            Result calibration = benchmark(replicaPort, conns, threads, CALIBRATION_REQUESTS, keys);
            long requests = Math.max(CALIBRATION_REQUESTS, Math.round(calibration.rps() * run.options.wrkSeconds));
            Result r = benchmark(replicaPort, conns, threads, requests, keys);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("calibration", calibration.csv());
            d.put("measured", r.csv());
            run.report.details.put("redis-benchmark on the replica", d);
            String how = String.format(Locale.ROOT, "%s (Debian), a primary and a replica (--replicaof) on loopback, --save '' "
                            + "--appendonly no; %,d keys key:NNNNNNNNNNNN, each a %d-byte value (the colo's answer for one tenant, as "
                            + "nginx serves), written to the primary (redis-cli --pipe) and read from the replica once it has them all: "
                            + "redis-benchmark -c %d --threads %d -r %d -n %,d GET key:__rand_int__ (closed loop, keep-alive; a "
                            + "calibration run of %,d first sets -n to about %d s); its own --csv figures",
                    run.report.machine.get("redis"), keys, value.length, conns, threads, keys, requests, CALIBRATION_REQUESTS,
                    run.options.wrkSeconds);
            run.report.add("Lookup over HTTP", "Redis replica baseline max throughput (redis-benchmark GET)", r.rps(), "req/s", how);
            run.report.add("Lookup over HTTP", "  Redis replica p99 at max", r.p99Ms(), "ms", "same run (redis-benchmark's p99)");
            run.report.add("Lookup over HTTP", "  Redis replica p50 at max", r.p50Ms(), "ms", "same run (redis-benchmark's p50)");
            Double colo = run.report.measured.get(Measure.COLO_MAX_RPS);
            if (colo != null) {
                run.report.add("Lookup over HTTP", "  colo ÷ Redis replica throughput", colo / r.rps(), "×", "colo max (wrk) ÷ the figure above");
            }
            run.report.keep(Measure.REDIS_MAX_RPS, r.rps());
        } finally {
            if (replica != null) {
                Procs.stop(replica, 10);
            }
            Procs.stop(primary, 10);
        }
    }

    private static Procs.Child startRedis(BenchRun run, String name, int port, List<String> extra) throws Exception {
        Path dir = run.work.resolve(name);
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", LoadTools.HOST,
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"));
        cmd.addAll(extra);
        Procs.Child child = Procs.start(name, cmd, run.logs);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cli(port, "PING").startsWith("PONG")) {
            if (!child.process().isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not start; see " + child.log());
            }
            Thread.sleep(50);
        }
        return child;
    }

    /** SET key:NNNNNNNNNNNN value for every key, streamed to redis-cli --pipe as RESP. */
    private static void populate(BenchRun run, int port, long keys, byte[] value) throws Exception {
        Process p = new ProcessBuilder("redis-cli", "-h", LoadTools.HOST, "-p", Integer.toString(port), "--pipe")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(run.logs.resolve("redis-populate.log").toFile()))
                .start();
        byte[] head = ("$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = new BufferedOutputStream(p.getOutputStream(), 1 << 16)) {
            for (long i = 0; i < keys; i++) {
                out.write(String.format(Locale.ROOT, "*3\r\n$3\r\nSET\r\n$16\r\n%s\r\n", key(i)).getBytes(StandardCharsets.US_ASCII));
                out.write(head);
                out.write(value);
                out.write('\r');
                out.write('\n');
            }
        }
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("redis-cli --pipe failed; see " + run.logs.resolve("redis-populate.log"));
        }
    }

    /** redis-benchmark's key for random integer i: "key:" + i zero-padded to 12 digits (16 bytes). */
    private static String key(long i) {
        return String.format(Locale.ROOT, "key:%012d", i);
    }

    private static void awaitReplica(int port, long keys, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!(cli(port, "INFO", "replication").contains("master_link_status:up") && cli(port, "DBSIZE").trim().equals(Long.toString(keys)))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Redis replica did not have all " + keys + " keys after " + timeoutSeconds + " s");
            }
            Thread.sleep(100);
        }
    }

    private static Result benchmark(int port, int conns, int threads, long requests, long keys) throws Exception {
        String out = Procs.run(List.of("redis-benchmark", "-h", LoadTools.HOST, "-p", Integer.toString(port), "-c", Integer.toString(conns),
                "--threads", Integer.toString(threads), "-r", Long.toString(keys), "-n", Long.toString(requests), "--csv",
                "GET", "key:__rand_int__"), 600);
        List<String> lines = out.lines().filter(l -> l.startsWith("\"")).toList();
        if (lines.size() < 2) {
            throw new IllegalStateException("no CSV result from redis-benchmark: " + LoadTools.abbreviate(out));
        }
        List<String> header = csv(lines.get(0));
        List<String> row = csv(lines.get(lines.size() - 1));
        return new Result(field(header, row, "rps"), field(header, row, "p50_latency_ms"), field(header, row, "p99_latency_ms"),
                String.join(" / ", lines));
    }

    private static double field(List<String> header, List<String> row, String name) {
        int i = header.indexOf(name);
        return i < 0 || i >= row.size() ? -1 : Double.parseDouble(row.get(i));
    }

    private static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        for (String f : line.split(",")) {
            out.add(f.replace("\"", "").trim());
        }
        return out;
    }

    private static String cli(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", LoadTools.HOST, "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        try {
            return Procs.run(cmd, 10);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
