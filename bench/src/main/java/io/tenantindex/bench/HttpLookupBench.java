package io.tenantindex.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.http.MiniHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Server;

/**
 * Lookups over HTTP against the colo under test and two floors answering a body of the colo's answer
 * size: nginx serving it as a file (what the target compares with) and a bare Jetty server of
 * the colo's version and settings in a JVM of the colo's heap (how much of the gap is the JVM's HTTP
 * server, how much ours). wrk at the maximum (closed loop), then an open-loop run at half the colo's max.
 */
final class HttpLookupBench implements Benchmark {
    private static final int OPEN_LOOP_WARM_UP_SECONDS = 5;
    private static final Pattern CACHE_HITS = Scrape.sample("tenant_index_answer_cache_lookups_total", "result=\"hit\"");
    private static final Pattern CACHE_MISSES = Scrape.sample("tenant_index_answer_cache_lookups_total", "result=\"miss\"");
    private static final Pattern CACHE_BYTES = Scrape.sample("tenant_index_answer_cache_bytes", "colo=");
    @Override
    public void run(BenchRun run) throws Exception {
        int port = run.colo.port();
        long tenants = run.tenants();
        Report report = run.report;
        byte[] sample = sampleAnswer(run);
        int nginxPort = Ports.reserve();
        Procs.Child nginx = startNginx(run, sample, nginxPort);
        int jettyPort = Ports.reserve();
        Procs.Child jetty = startBareJetty(run, sample, jettyPort);
        try {
            Wrk wrk = Wrk.of(run);
            // A first scrape loads the classes that answer it before the warm-up: loaded during the measured run,
            // they invalidated compiled lookup code (its inlining assumed fewer implementations), which C2 then
            // compiled again while wrk ran (a fifth of the colo's CPU in a perf profile).
            Scrape.metrics(port);
            System.out.println("bench: wrk warm-up against the colo, nginx and the bare Jetty");
            String warm = wrk.warmUp(run.coloJvm, port);
            wrk.run(nginxPort, 3);
            String jettyWarm = wrk.warmUp(jetty, jettyPort);
            System.out.println("bench: wrk against the colo, then nginx, then the bare Jetty");
            String metricsBefore = Scrape.metrics(port);
            long coloTicks = Procs.cpuTicks(run.coloJvm.pid());
            JsonNode c = wrk.run(port);
            coloTicks = Procs.cpuTicks(run.coloJvm.pid()) - coloTicks;
            String metricsAfter = Scrape.metrics(port);
            JsonNode n = wrk.run(nginxPort);
            long jettyTicks = Procs.cpuTicks(jetty.pid());
            JsonNode j = wrk.run(jettyPort);
            jettyTicks = Procs.cpuTicks(jetty.pid()) - jettyTicks;
            double coloRps = Wrk.rps(c);
            double nginxRps = Wrk.rps(n);
            double jettyRps = Wrk.rps(j);
            report.details.put("wrk colo", c);
            report.details.put("wrk nginx", n);
            report.details.put("wrk bare jetty", j);
            String how = String.format(Locale.ROOT, "wrk -t%d -c%d -d%ds (closed loop, keep-alive) over loopback, a Lua script "
                    + "picking a random tenant of %,d per request (GET /tenants/tn-NNNNNNNN); colo %s; nginx: 3 s; errors/non-2xx: "
                    + "colo %d, nginx %d", wrk.threads, wrk.connections, wrk.seconds, tenants, warm, Wrk.errors(c), Wrk.errors(n));
            report.add("Lookup over HTTP", "colo max throughput", coloRps, "req/s", how);
            report.add("Lookup over HTTP", "nginx baseline max throughput", nginxRps, "req/s",
                    "the same wrk and script against Debian nginx (" + report.machine.get("nginx") + ", worker_processes auto, access_log "
                            + "off, keepalive_requests unlimited) serving a static file of the same size as the colo's body ("
                            + sample.length + " bytes: the colo's answer for one tenant), on its own loopback port");
            report.atLeast("Lookup over HTTP", "colo ÷ nginx throughput", coloRps / nginxRps, "×", 0.8, "ratio of the two figures above");
            report.add("Lookup over HTTP", "bare Jetty floor max throughput", jettyRps, "req/s", String.format(Locale.ROOT,
                    "the same wrk and script against a bare Jetty server (the colo's Jetty %s, thread pool, request limits and idle "
                    + "timeout, no Javalin) in its own JVM (-Xmx%s, the colo's flags) answering every request with the same %d bytes; "
                    + "its JIT warmed as the colo's (%s); errors/non-2xx %d", Server.getVersion(), run.options.coloHeap, sample.length,
                    jettyWarm, Wrk.errors(j)));
            report.add("Lookup over HTTP", "  colo ÷ bare Jetty throughput", coloRps / jettyRps, "×",
                    "what our code (Javalin's dispatch, the lookup, its headers, metrics and usage event) costs on top of the JVM's HTTP server");
            report.add("Lookup over HTTP", "  colo CPU per lookup at max", perRequestMicros(coloTicks, c), "µs",
                    "CPU time of the colo JVM during its wrk run ÷ its requests, from /proc/<pid>/stat");
            report.add("Lookup over HTTP", "  bare Jetty CPU per request at max", perRequestMicros(jettyTicks, j), "µs",
                    "the same for the bare Jetty JVM during its wrk run");
            double hits = Scrape.value(metricsAfter, CACHE_HITS) - Scrape.value(metricsBefore, CACHE_HITS);
            double misses = Scrape.value(metricsAfter, CACHE_MISSES) - Scrape.value(metricsBefore, CACHE_MISSES);
            report.add("Lookup over HTTP", "  colo answer-cache hits during its wrk run", 100 * hits / Math.max(1, hits + misses), "%",
                    String.format(Locale.ROOT, "tenant_index_answer_cache_lookups on the colo's /metrics, before and after its run; "
                            + "the cache then held %.0f MiB (tenant_index_answer_cache_bytes)", Scrape.value(metricsAfter, CACHE_BYTES) / (1 << 20)));
            report.keep(Measure.COLO_MAX_RPS, coloRps);
            report.keep(Measure.NGINX_MAX_RPS, nginxRps);
            report.add("Lookup over HTTP", "colo p50 at max (wrk)", c.path("p50_us").asDouble() / 1000, "ms", "wrk's latency percentile (closed loop)");
            report.add("Lookup over HTTP", "colo p99 at max (wrk)", c.path("p99_us").asDouble() / 1000, "ms", "wrk's latency percentile (closed loop)");
            report.add("Lookup over HTTP", "nginx p50 / p99 at max (wrk)", n.path("p50_us").asDouble() / 1000, "ms",
                    "p99 " + n.path("p99_us").asDouble() / 1000 + " ms");
            openLoop(run, port, nginxPort, jettyPort, coloRps / 2, wrk.connections);
        } finally {
            Procs.stop(jetty, 10);
            Procs.stop(nginx, 10);
        }
    }

    private static double perRequestMicros(long ticks, JsonNode wrk) {
        return ticksMicros(ticks, wrk.path("requests").asLong());
    }

    private static double ticksMicros(long ticks, long requests) {
        return ticks * 1e6 / Procs.TICKS_PER_SECOND / requests;
    }

    private static void openLoop(BenchRun run, int port, int nginxPort, int jettyPort, double half, int conns) throws Exception {
        long tenants = run.tenants();
        int olSeconds = (int) run.options.openLoopSeconds;
        LongFunction<String> path = i -> "/tenants/" + Tenants.id(i);
        // As many connections as wrk used: with fewer, one pause (a GC, a descheduled thread) leaves every
        // connection behind its schedule for longer than the colo needs to catch up.
        System.out.printf("bench: open loop at %.0f req/s (half the colo's max): %d s unmeasured against each, then measured%n",
                half, OPEN_LOOP_WARM_UP_SECONDS);
        // In an adjacent pair of runs the colo's first run of this schedule had a p99 of 404 ms (max 1.0 s), its second 36 ms:
        // each server, and the generator, meet the connections and the pacing once before they are measured.
        for (int p : new int[] {port, nginxPort, jettyPort}) {
            OpenLoopGets.run(p, path, half, conns, OPEN_LOOP_WARM_UP_SECONDS, tenants);
        }
        long coloTicks = Procs.cpuTicks(run.coloJvm.pid());
        long stackTicks = Procs.cpuTicks(run.stack.pid());
        OpenLoopGets.Result oc = OpenLoopGets.run(port, path, half, conns, olSeconds, tenants);
        coloTicks = Procs.cpuTicks(run.coloJvm.pid()) - coloTicks;
        stackTicks = Procs.cpuTicks(run.stack.pid()) - stackTicks;
        OpenLoopGets.Result on = OpenLoopGets.run(nginxPort, path, half, conns, olSeconds, tenants);
        OpenLoopGets.Result oj = OpenLoopGets.run(jettyPort, path, half, conns, olSeconds, tenants);
        run.report.details.put("open loop colo", details(oc));
        run.report.details.put("open loop nginx", details(on));
        run.report.details.put("open loop bare jetty", details(oj));
        String olHow = String.format(Locale.ROOT, "open-loop generator in the bench JVM (wrk2 is not in Debian; wrk with fewer "
                + "connections is still closed-loop and hides queueing): %.0f req/s = half the colo's wrk max, spread over %d keep-alive "
                + "connections with a fixed schedule, one thread sending each request when due and one reading every answer through a "
                + "selector (%.1f µs of its CPU per request in this run); latency measured from each request's scheduled send time "
                + "(coordinated-omission corrected), %d s after %d s unmeasured against each server, random tenants; achieved %.0f req/s, "
                + "errors %d", half, conns, oc.generatorMicrosPerRequest(), olSeconds, OPEN_LOOP_WARM_UP_SECONDS, oc.perSecond(), oc.errors());
        run.report.add("Lookup over HTTP", "colo p99 at half the max rate", Latencies.ms(oc.latencies().percentile(99)), "ms", olHow);
        run.report.add("Lookup over HTTP", "  colo p50 at half the max rate", Latencies.ms(oc.latencies().percentile(50)), "ms", "same run");
        run.report.add("Lookup over HTTP", "  nginx p99 at the same rate", Latencies.ms(on.latencies().percentile(99)), "ms",
                "the same generator and rate against nginx (p50 " + Latencies.ms(on.latencies().percentile(50)) + " ms), same run");
        run.report.keep(Measure.COLO_P99_AT_HALF_MS, Latencies.ms(oc.latencies().percentile(99)));
        run.report.keep(Measure.NGINX_P99_AT_HALF_MS, Latencies.ms(on.latencies().percentile(99)));
        run.report.atMost("Lookup over HTTP", "  colo p99 ÷ nginx p99 at half the colo's max rate",
                oc.latencies().percentile(99) / (double) on.latencies().percentile(99), "×", 2, "ratio of the two p99 figures above");
        long requests = oc.ok() + oc.errors();
        run.report.add("Lookup over HTTP", "  colo CPU per lookup in its open-loop run", ticksMicros(coloTicks, requests), "µs", String.format(
                Locale.ROOT, "as at max, during the measured open loop; meanwhile the stack JVM (the broker taking the usage events) "
                        + "%.1f µs and the generator %.1f µs per lookup: %.2f of the machine's %d cores in all", ticksMicros(stackTicks, requests),
                oc.generatorMicrosPerRequest(), (coloTicks + stackTicks) / (double) Procs.TICKS_PER_SECOND / olSeconds
                        + oc.generatorCpuNanos() / 1e9 / olSeconds, Runtime.getRuntime().availableProcessors()));
        run.report.add("Lookup over HTTP", "  bare Jetty floor p99 at the same rate", Latencies.ms(oj.latencies().percentile(99)), "ms",
                "the same generator and rate against the bare Jetty floor (p50 " + Latencies.ms(oj.latencies().percentile(50)) + " ms), same run");
        run.report.add("Lookup over HTTP", "  colo p99 ÷ bare Jetty p99 at half the colo's max rate",
                oc.latencies().percentile(99) / (double) oj.latencies().percentile(99), "×", "ratio of the two p99 figures above");
    }

    /** The colo under test's answer for one tenant: the body the floors serve, so they move as many bytes. */
    static byte[] sampleAnswer(BenchRun run) throws Exception {
        try (MiniHttp h = new MiniHttp(LoadTools.HOST, run.colo.port())) {
            MiniHttp.Response r = h.request("GET", "/tenants/" + Tenants.id(run.tenants() / 2), null, null);
            if (r.status() != 200) {
                throw new IllegalStateException("sample lookup answered " + r.status());
            }
            return r.body();
        }
    }

    /** nginx serving {@code body} as a static file on {@code port}, configured for keep-alive throughput. */
    private static Procs.Child startNginx(BenchRun run, byte[] body, int port) throws Exception {
        Path ngx = run.work.resolve("nginx");
        Files.createDirectories(ngx.resolve("www"));
        Files.createDirectories(ngx.resolve("tmp"));
        Files.write(ngx.resolve("www/body.json"), body);
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
                """.formatted(ngx, port));
        Procs.Child nginx = Procs.start("nginx", List.of("nginx", "-p", ngx.toString(), "-c", ngx.resolve("nginx.conf").toString()), run.logs);
        Thread.sleep(500);
        if (!nginx.process().isAlive()) {
            throw new IllegalStateException("nginx did not start; see " + nginx.log());
        }
        return nginx;
    }

    /** {@link BareJettyFloor} serving {@code body} on {@code port}, in a JVM launched as the colo's are (same heap and flags). */
    private static Procs.Child startBareJetty(BenchRun run, byte[] body, int port) throws Exception {
        Path file = run.work.resolve("bare-jetty-body.json");
        Files.write(file, body);
        List<String> cmd = new ArrayList<>(run.jvm("bare-jetty", run.options.coloHeap));
        cmd.addAll(List.of(BareJettyFloor.class.getName(), Integer.toString(port), file.toString()));
        Procs.Child jetty = Procs.start("bare-jetty", cmd, run.logs);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (MiniHttp h = new MiniHttp(LoadTools.HOST, port)) {
                h.request("GET", "/", null, null);
                return jetty;
            } catch (IOException notYet) {
                if (!jetty.process().isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the bare Jetty floor did not start; see " + jetty.log());
                }
                Thread.sleep(50);
            }
        }
    }

    private static Map<String, Object> details(OpenLoopGets.Result r) {
        Map<String, Object> d = new LinkedHashMap<>(r.latencies().summaryMs());
        d.put("target_rate", Math.round(r.targetRate()));
        d.put("achieved_rate", Math.round(r.perSecond()));
        d.put("errors", r.errors());
        return d;
    }
}
