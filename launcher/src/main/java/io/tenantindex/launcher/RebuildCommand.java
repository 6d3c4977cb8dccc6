package io.tenantindex.launcher;

import io.tenantindex.common.Json;
import io.tenantindex.common.api.RebuildStatus;
import io.tenantindex.common.http.BearerAuth;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;


/** {@code ./tenant-index rebuild}: a colo's blue/green rebuild, followed to the switch with a progress bar. */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = "Rebuild a colo's replica from the topic while the current one keeps serving, then switch (blue/green).")
final class RebuildCommand implements Callable<Integer> {
    @Mixin
    Target target;
    @Option(names = "--colo", required = true, description = "The colo to rebuild, e.g. ORD.")
    String colo;
    @Option(names = "--timeout", defaultValue = "PT30M",
            description = "Stop waiting after this long (ISO-8601, default PT30M); the rebuild goes on in the colo.")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        String base = target.coloUrl(colo);
        HttpResponse<String> started = ApiClient.send(target.authorized(ApiClient.request(base, "/admin/rebuild")
                .POST(HttpRequest.BodyPublishers.noBody()), BearerAuth.Role.ADMIN));
        if (started.statusCode() != 202) {
            return target.print(started);
        }
        Progress progress = new Progress("rebuild " + colo.toUpperCase(Locale.ROOT), 100, target.json);
        RebuildStatus status = Json.readAnswer(started.body(), RebuildStatus.class);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!status.done()) {
            if (status.failed()) {
                progress.done();
                System.err.println("rebuild of " + colo.toUpperCase(Locale.ROOT) + " into generation " + status.generation()
                        + " failed: " + status.error() + "; the serving generation goes on answering");
                return TenantIndexCli.SERVER_ERROR;
            }
            if (System.nanoTime() > deadline) {
                progress.done();
                System.err.println("rebuild of " + colo.toUpperCase(Locale.ROOT) + " not done after " + timeout
                        + " (" + Math.round(status.percent()) + "%); it goes on in the colo: GET "
                        + base + "/admin/rebuild shows its progress");
                return TenantIndexCli.SERVER_ERROR;
            }
            progress.update(Math.round(status.percent()), status.recordsApplied());
            Thread.sleep(250); // A CLI polling a progress endpoint, not a test waiting on a condition.
            HttpResponse<String> r = ApiClient.send(ApiClient.request(base, "/admin/rebuild").GET());
            if (r.statusCode() != 200) {
                progress.done();
                return target.print(r);
            }
            status = Json.readAnswer(r.body(), RebuildStatus.class);
        }
        progress.update(100, status.recordsApplied());
        progress.done();
        System.out.println(target.json ? Json.MAPPER.writeValueAsString(status) : "rebuilt " + colo.toUpperCase(Locale.ROOT)
                + ": generation " + status.generation() + ", " + status.recordsApplied() + " records at "
                + Math.round(status.recordsPerSecond()) + " records/s");
        return 0;
    }
}
