package io.tenantindex.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * wrk against one port with a Lua script that looks up a random tenant per request and prints one
 * JSON result line; the HTTP and usage-emission benchmarks share it.
 */
final class Wrk {
    private final Path lua;
    private final Path log;
    final int threads;
    final int connections;
    final int seconds;

    private Wrk(Path lua, Path log, int threads, int connections, int seconds) {
        this.lua = lua;
        this.log = log;
        this.threads = threads;
        this.connections = connections;
        this.seconds = seconds;
    }

    /** Writes the random-tenant script for this run's tenant count into the work dir. */
    static Wrk of(BenchRun run) throws Exception {
        Path lua = run.work.resolve("random-tenant.lua");
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
                """.formatted(run.tenants()));
        BenchOptions o = run.options;
        return new Wrk(lua, run.logs.resolve("wrk.log"), (int) o.wrkThreads, (int) o.wrkConnections, (int) o.wrkSeconds);
    }

    /** The measured run: {@link #seconds} s. */
    JsonNode run(int port) throws Exception {
        return run(port, seconds);
    }

    JsonNode run(int port, int runSeconds) throws Exception {
        String out = Procs.run(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + runSeconds + "s", "--timeout", "5s",
                "-s", lua.toString(), "http://127.0.0.1:" + port + "/"), runSeconds + 60L);
        Files.writeString(log, out + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        String line = out.lines().filter(l -> l.startsWith("WRKJSON ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no result line from wrk: " + LoadTools.abbreviate(out)));
        return Json.MAPPER.readTree(line.substring(8));
    }

    /** wrk against a freshly started JVM until its JIT has settled. */
    String warmUp(Procs.Child jvm, int port) throws Exception {
        return JitWarmUp.untilSettled(jvm.pid(), "the colo JVM", () -> run(port, JitWarmUp.ROUND_SECONDS));
    }

    static double rps(JsonNode w) {
        return (w.path("requests").asLong() - errors(w)) / (w.path("duration_us").asDouble() / 1e6);
    }

    static long errors(JsonNode w) {
        return w.path("connect").asLong() + w.path("read").asLong() + w.path("write").asLong() + w.path("status").asLong()
                + w.path("timeout").asLong();
    }
}
