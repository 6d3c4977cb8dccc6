package io.tenantindex.sink;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.tenantindex.common.TenantIds;
import io.tenantindex.common.api.SinkHealth;
import io.tenantindex.common.api.SinkStats;
import io.tenantindex.common.http.ClasspathResources;
import io.tenantindex.protocol.TenantIndexException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The sink's HTTP API: parses and validates query parameters (a bad one is a 400
 * naming it) and hands over to {@link UsageQueries} and {@link EventLog}. Times are epoch
 * milliseconds or ISO-8601 instants.
 */
final class UsageRoutes {
    private static final int DEFAULT_EVENT_LIMIT = 100;
    private static final int DEFAULT_TOP_LIMIT = 10;
    // Without `from`, a range query shows the last 60 windows of its granularity.
    private static final int DEFAULT_WINDOWS = 60;
    /** This API's OpenAPI document, served at {@code GET /openapi.json}. */
    static final String OPENAPI_RESOURCE = "openapi/usage-log-sink.json";

    private final UsageQueries queries;
    private final EventLog events;
    private final Supplier<KafkaStreams.State> state;
    private final Supplier<SinkStats> stats;

    UsageRoutes(UsageQueries queries, EventLog events, Supplier<KafkaStreams.State> state, Supplier<SinkStats> stats) {
        this.queries = queries;
        this.events = events;
        this.state = state;
        this.stats = stats;
    }

    void register(JavalinConfig config) {
        // A custom method (like the writer's /tenants:import), so a tenant named "top" keeps /usage/top.
        config.routes.get("/usage:top", this::top);
        config.routes.get("/usage/{tenantId}", this::usage);
        config.routes.get("/usage/{tenantId}/events", this::events);
        config.routes.get("/health", this::health);
        config.routes.get("/health/ready", this::ready);
        config.routes.get("/stats", ctx -> ctx.json(stats.get()));
        ClasspathResources.openApi(config, OPENAPI_RESOURCE);
    }

    private void usage(Context ctx) {
        String tenantId = TenantIds.requireValid(ctx.pathParam("tenantId"));
        Granularity granularity = Granularity.parse(ctx.queryParam("granularity"), Granularity.MINUTE);
        Long to = time(ctx, "to");
        long toMs = to == null ? System.currentTimeMillis() : to;
        Long from = time(ctx, "from");
        long fromMs = from == null ? toMs - DEFAULT_WINDOWS * granularity.sizeMs() : from;
        ctx.json(queries.range(tenantId, granularity, fromMs, toMs));
    }

    private void events(Context ctx) {
        String tenantId = TenantIds.requireValid(ctx.pathParam("tenantId"));
        int limit = intParam(ctx, "limit", DEFAULT_EVENT_LIMIT);
        String cursor = ctx.queryParam("cursor");
        EventCursor decoded = cursor == null || cursor.isBlank() ? null : EventCursor.decode(cursor.trim(), tenantId);
        ctx.json(events.read(tenantId, time(ctx, "from"), decoded, limit));
    }

    private void top(Context ctx) {
        Granularity granularity = Granularity.parse(ctx.queryParam("window"), Granularity.HOUR);
        Long at = time(ctx, "at");
        int limit = intParam(ctx, "limit", DEFAULT_TOP_LIMIT);
        ctx.json(queries.top(granularity, at == null ? System.currentTimeMillis() : at, limit));
    }

    private void health(Context ctx) {
        KafkaStreams.State current = state.get();
        boolean up = current == KafkaStreams.State.RUNNING || current == KafkaStreams.State.REBALANCING;
        ctx.status(up ? 200 : 503).json(SinkHealth.liveness(up, current.name()));
    }

    /** Readiness: 200 once the Streams app runs (its stores answer queries), 503 + Retry-After while it starts or rebalances. */
    private void ready(Context ctx) {
        KafkaStreams.State current = state.get();
        boolean ready = current == KafkaStreams.State.RUNNING;
        if (!ready) {
            ctx.header(Header.RETRY_AFTER, "1");
        }
        ctx.status(ready ? 200 : 503).json(SinkHealth.readiness(ready, current.name()));
    }

    static Long time(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String value = raw.trim();
        try {
            long ms = value.chars().allMatch(Character::isDigit) ? Long.parseLong(value) : Instant.parse(value).toEpochMilli();
            if (ms < 0) {
                throw TenantIndexException.badRequest(name + " must not be before 1970");
            }
            return ms;
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw TenantIndexException.badRequest(name + " must be epoch milliseconds or an ISO-8601 instant, got '" + value + "'");
        }
    }

    static int intParam(Context ctx, String name, int fallback) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw TenantIndexException.badRequest(name + " must be a whole number, got '" + raw + "'");
        }
    }
}
