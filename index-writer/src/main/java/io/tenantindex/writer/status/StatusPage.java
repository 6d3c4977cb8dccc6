package io.tenantindex.writer.status;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Header;
import io.tenantindex.common.api.ColoStats;
import io.tenantindex.common.api.WriterHealth;
import io.tenantindex.common.http.ClasspathResources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The writer's status page: {@code GET /status} is a small HTML/JS page (from the jar, no CDN)
 * that polls {@code GET /status.json} every second. The JSON is assembled here, server-side, so
 * the browser needs to reach only the writer: the writer's own health, every colo's
 * {@code /stats} (via {@link ColoPoller}: ready or not, lag and its recent history, staleness,
 * hit ratio, lookups/s; a colo that is down says so) and the last committed writes with, for each
 * colo, whether it has applied that write yet (its applied offset on the write's partition).
 *
 * <p>The colos come from {@code writer.colo.urls}; the local stack sets them with
 * {@link #coloUrls(Map)} once its colos have their ports.
 */
public final class StatusPage {
    private static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(500);

    private final RecentChanges changes;
    private final ColoPoller poller;
    private final Supplier<WriterHealth> writerHealth;
    private final LongSupplier clock;

    public StatusPage(StatusConfig config, Supplier<WriterHealth> writerHealth) {
        this(config, writerHealth, System::currentTimeMillis);
    }

    StatusPage(StatusConfig config, Supplier<WriterHealth> writerHealth, LongSupplier clock) {
        this.changes = new RecentChanges(config.recentChanges(), clock);
        this.poller = new ColoPoller(config.coloUrls(), config.timeout(), MIN_POLL_INTERVAL, clock);
        this.writerHealth = writerHealth;
        this.clock = clock;
    }

    /** Where the writer reports each acknowledged write. */
    public RecentChanges changes() {
        return changes;
    }

    /** Replaces the colos the page shows (colo code → lookup-api base URL, in display order). */
    public void coloUrls(Map<String, String> urls) {
        poller.coloUrls(urls);
    }

    public Map<String, String> coloUrls() {
        return poller.coloUrls();
    }

    public void register(JavalinConfig c) {
        ClasspathResources.serve(c, "/status", "status/index.html", "text/html; charset=utf-8");
        ClasspathResources.serve(c, "/status/status.js", "status/status.js", "text/javascript; charset=utf-8");
        ClasspathResources.serve(c, "/status/status.css", "status/status.css", "text/css; charset=utf-8");
        c.routes.get("/status.json", ctx -> ctx.header(Header.CACHE_CONTROL, "no-store").json(snapshot()));
    }

    /** What {@code GET /status.json} answers. */
    Snapshot snapshot() {
        List<ColoPoller.ColoSample> colos = poller.poll();
        List<ChangeStatus> changeStatus = new ArrayList<>();
        for (RecentChanges.Change ch : changes.snapshot()) {
            changeStatus.add(changeStatus(ch, colos));
        }
        return new Snapshot(Instant.ofEpochMilli(clock.getAsLong()).toString(), writerHealth.get(),
                colos.stream().map(StatusPage::coloStatus).toList(), changeStatus);
    }

    /** The page's data: the writer's health, every colo and the latest writes. */
    record Snapshot(String generatedAt, WriterHealth writer, List<ColoStatus> colos, List<ChangeStatus> changes) {
    }

    /** One colo as the page shows it; the figures are null while it is down. */
    record ColoStatus(String colo, String url, boolean up, boolean ready, String status, String error, Long lag,
                      Long stalenessMs, Long entries, Double hitRatio, Double lookupsPerSecond, String lastAppliedAt,
                      List<Long> lagHistory) {
    }

    /** A write and, per colo, true (applied), false (not yet) or null (colo down: unknown). */
    record ChangeStatus(String tenantId, String op, long version, String coloHint, String tier, int partition, long offset,
                        String at, Map<String, Boolean> appliedIn) {
    }

    private static ColoStatus coloStatus(ColoPoller.ColoSample s) {
        ColoStats stats = s.stats();
        if (stats == null) {
            return new ColoStatus(s.colo(), s.url(), s.up(), false, "down", s.error(), null, null, null, null,
                    s.lookupsPerSecond(), null, s.lagHistory());
        }
        return new ColoStatus(s.colo(), s.url(), s.up(), stats.ready(), stats.status() == null ? "unknown" : stats.status(),
                s.error(), stats.lag(), stats.stalenessMs(), stats.entries(), stats.hitRatio(), s.lookupsPerSecond(),
                stats.lastAppliedAt(), s.lagHistory());
    }

    private static ChangeStatus changeStatus(RecentChanges.Change ch, List<ColoPoller.ColoSample> colos) {
        Map<String, Boolean> applied = new LinkedHashMap<>();
        for (ColoPoller.ColoSample s : colos) {
            Long position = s.stats() == null ? null : s.stats().position().get(ch.partition());
            applied.put(s.colo(), s.stats() == null ? null : position != null && position >= ch.offset());
        }
        return new ChangeStatus(ch.tenantId(), ch.op(), ch.version(), ch.coloHint(), ch.tier(), ch.partition(), ch.offset(),
                Instant.ofEpochMilli(ch.atMillis()).toString(), Collections.unmodifiableMap(applied));
    }
}
