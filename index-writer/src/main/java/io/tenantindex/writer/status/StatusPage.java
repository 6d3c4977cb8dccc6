package io.tenantindex.writer.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.tenantindex.common.http.ClasspathResources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    private final Supplier<Map<String, Object>> writerHealth;
    private final LongSupplier clock;

    public StatusPage(StatusConfig config, Supplier<Map<String, Object>> writerHealth) {
        this(config, writerHealth, System::currentTimeMillis);
    }

    StatusPage(StatusConfig config, Supplier<Map<String, Object>> writerHealth, LongSupplier clock) {
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
        c.routes.get("/status.json", ctx -> ctx.header("Cache-Control", "no-store").json(snapshot()));
    }

    /** What {@code GET /status.json} answers. */
    Map<String, Object> snapshot() {
        List<ColoPoller.ColoSample> colos = poller.poll();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generatedAt", Instant.ofEpochMilli(clock.getAsLong()).toString());
        out.put("writer", writerHealth.get());
        List<Map<String, Object>> coloJson = new ArrayList<>(colos.size());
        colos.forEach(s -> coloJson.add(coloJson(s)));
        out.put("colos", coloJson);
        List<Map<String, Object>> changeJson = new ArrayList<>();
        for (RecentChanges.Change ch : changes.snapshot()) {
            changeJson.add(changeJson(ch, colos));
        }
        out.put("changes", changeJson);
        return out;
    }

    private static Map<String, Object> coloJson(ColoPoller.ColoSample s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("colo", s.colo());
        c.put("url", s.url());
        c.put("up", s.up());
        JsonNode stats = s.stats();
        c.put("ready", stats != null && stats.path("ready").asBoolean(false));
        c.put("status", stats == null ? "down" : stats.path("status").asText("unknown"));
        c.put("error", s.error());
        c.put("lag", number(stats, "lag"));
        c.put("stalenessMs", number(stats, "stalenessMs"));
        c.put("entries", number(stats, "entries"));
        c.put("hitRatio", stats == null || !stats.has("hitRatio") ? null : stats.get("hitRatio").asDouble());
        c.put("lookupsPerSecond", s.lookupsPerSecond());
        c.put("lastAppliedAt", stats == null || stats.path("lastAppliedAt").isNull() ? null : stats.path("lastAppliedAt").asText(null));
        c.put("lagHistory", s.lagHistory());
        return c;
    }

    private static Long number(JsonNode stats, String field) {
        return stats == null || !stats.path(field).isNumber() ? null : stats.get(field).asLong();
    }

    /** The change plus, per colo, true (applied), false (not yet) or null (colo down: unknown). */
    private static Map<String, Object> changeJson(RecentChanges.Change ch, List<ColoPoller.ColoSample> colos) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("tenantId", ch.tenantId());
        c.put("op", ch.op());
        c.put("version", ch.version());
        c.put("coloHint", ch.coloHint());
        c.put("tier", ch.tier());
        c.put("partition", ch.partition());
        c.put("offset", ch.offset());
        c.put("at", Instant.ofEpochMilli(ch.atMillis()).toString());
        Map<String, Boolean> applied = new LinkedHashMap<>();
        for (ColoPoller.ColoSample s : colos) {
            JsonNode position = s.stats() == null ? null : s.stats().path("position").path(Integer.toString(ch.partition()));
            applied.put(s.colo(), s.stats() == null ? null : position.isNumber() && position.asLong() >= ch.offset());
        }
        c.put("appliedIn", applied);
        return c;
    }
}
