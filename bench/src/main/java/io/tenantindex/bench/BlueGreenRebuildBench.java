package io.tenantindex.bench;

import io.tenantindex.common.Json;
import io.tenantindex.common.api.RebuildStatus;
import io.tenantindex.common.http.MiniHttp;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The colo's own blue/green rebuild ({@code POST /admin/rebuild}) of the whole index into a new
 * generation while the current one keeps serving, timed by the colo's rebuild progress (start → switched).
 */
final class BlueGreenRebuildBench implements Benchmark {
    @Override
    public void run(BenchRun run) throws Exception {
        BenchRun.Colo colo = run.colo;
        System.out.printf("bench: blue/green rebuild of colo %s (POST /admin/rebuild)%n", colo.code());
        RebuildStatus progress;
        try (MiniHttp http = new MiniHttp(LoadTools.HOST, colo.port())) {
            MiniHttp.Response started = http.request("POST", "/admin/rebuild", null, new byte[0]);
            if (started.status() != 202) {
                throw new IllegalStateException("POST /admin/rebuild answered " + started.status() + ": " + new String(started.body()));
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            do {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the rebuild of colo " + colo.code() + " did not finish in 10 minutes");
                }
                Thread.sleep(50);
                progress = Json.readAnswer(http.request("GET", "/admin/rebuild", null, null).bodyText(), RebuildStatus.class);
            } while (!progress.done());
        }
        double seconds = Duration.between(Instant.parse(progress.startedAt()),
                Instant.parse(progress.finishedAt())).toMillis() / 1000.0;
        run.report.details.put("blue/green rebuild (POST /admin/rebuild)", progress);
        run.report.keep(Measure.BLUE_GREEN_S, seconds);
        run.report.atMost("Rebuild", "blue/green rebuild of " + BenchRun.count(run.tenants()) + " tenants in a serving colo", seconds, "s", 2,
                "POST /admin/rebuild on the colo under test: a new generation (new consumer group, empty store) loads the "
                        + "index by bulk restore while the current one serves; time from the rebuild's start to the switch, "
                        + "from the colo's GET /admin/rebuild (startedAt → finishedAt)");
        run.report.add("Rebuild", "  replay rate", progress.recordsPerSecond(), "records/s",
                String.format(Locale.ROOT, "%,d records applied ÷ the time above", progress.recordsApplied()));
    }
}
