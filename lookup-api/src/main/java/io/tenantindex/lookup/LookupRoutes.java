package io.tenantindex.lookup;

import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.javalin.http.Context;
import io.tenantindex.colo.IndexReplica;
import io.tenantindex.colo.IndexReplica.ReplicaState;
import io.tenantindex.colo.ReplicaAdmin;
import io.tenantindex.common.ConsistencyToken;
import io.tenantindex.common.ErrorType;
import io.tenantindex.common.TenantIds;
import io.tenantindex.common.TenantIndexException;
import io.tenantindex.common.http.BearerAuth;
import io.tenantindex.common.http.ClasspathResources;
import io.tenantindex.common.http.PageRequest;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.schemas.LookupOutcome;
import io.tenantindex.schemas.TenantJson;
import io.tenantindex.schemas.TenantRegistration;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lookup API of one colo. Depends only on {@link IndexReplica} (so tests run it over HTTP with
 * an in-memory replica) and on the {@link UsageRecorder} that every lookup is reported to.
 *
 * <p>Every lookup answer says where the replica stands: {@code X-Colo}, {@code X-Replica-Lag},
 * {@code X-Replica-Staleness-Ms}, plus {@code X-Replica-Stale: true} when served before the
 * replica caught up and {@code X-Replica-Degraded-Since} when Kafka is unreachable.
 */
public final class LookupRoutes {
    public static final String TOKEN_HEADER = "X-Consistency-Token";
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Pattern WAIT = Pattern.compile("(\\d{1,9})(ms|s)?");

    private final IndexReplica replica;
    private final ReplicaAdmin admin;
    private final UsageRecorder usage;
    private final String indexTopic;
    private final Duration readWait;
    private final Duration readMaxWait;
    private final boolean serveStale;
    private final BearerAuth auth;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder notReady = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Timer latency;

    public LookupRoutes(IndexReplica replica, ReplicaAdmin admin, UsageRecorder usage, ColoConfig config, MeterRegistry metrics) {
        this.replica = replica;
        this.admin = admin;
        this.usage = usage;
        this.indexTopic = config.materializer().indexTopic();
        this.readWait = config.readWait();
        this.readMaxWait = config.readMaxWait();
        this.serveStale = config.serveStaleWhileRestoring();
        this.auth = config.auth();
        this.latency = Timer.builder("tenant_index_lookup_latency")
                .description("Lookup request received → answered (tokened lookups include their wait)")
                // Micrometer's default buckets start at 1 ms, and most lookups take microseconds;
                // percentiles come from the buckets (histogram_quantile), as the Grafana dashboard does.
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(15))
                .register(metrics);
        Map.of("hit", hits, "miss", misses, "not_ready", notReady, "error", errors).forEach((outcome, counter) ->
                FunctionCounter.builder("tenant_index_lookups", counter, LongAdder::sum)
                        .description("Lookups by outcome").tag("outcome", outcome).register(metrics));
        Map.<String, ToDoubleFunction<UsageRecorder>>of(
                "emitted", UsageRecorder::emitted, "dropped", UsageRecorder::dropped, "failed", UsageRecorder::failed)
                .forEach((result, count) -> FunctionCounter.builder("tenant_index_usage_events", usage, count)
                        .description("Usage events by fate: emitted to Kafka, dropped (buffer full), failed")
                        .tag("result", result).register(metrics));
    }

    public void register(JavalinConfig config) {
        config.routes.get("/tenants/{tenantId}", this::getTenant);
        config.routes.get("/tenants", this::listTenants);
        config.routes.get("/stats", this::stats);
        config.routes.get("/digest", this::digest);
        config.routes.get("/health", this::health);
        config.routes.get("/health/ready", this::ready);
        ClasspathResources.openApi(config, "openapi/lookup-api.json");
        config.routes.post("/admin/rebuild", this::startRebuild);
        config.routes.get("/admin/rebuild", this::rebuildStatus);
    }

    private void getTenant(Context ctx) {
        long started = System.nanoTime();
        String tenantId = TenantIds.requireValid(ctx.pathParam("tenantId"));
        String requestId = Optional.ofNullable(ctx.header("X-Request-Id")).orElseGet(LookupRoutes::newRequestId);
        String rawToken = Optional.ofNullable(ctx.header(TOKEN_HEADER)).orElse(ctx.queryParam("token"));
        try {
            if (rawToken != null) {
                ConsistencyToken token = ConsistencyToken.decode(rawToken, indexTopic);
                Duration wait = waitOf(ctx.queryParam("wait"));
                CompletableFuture<Optional<TenantRegistration>> answer = replica.lookupAtLeast(tenantId, token, wait);
                // A tokened answer is exact once the position is applied, so it is not gated on readiness.
                ctx.future(() -> answer.handle((found, error) -> {
                    if (error != null) {
                        throw fail(tenantId, requestId, started,
                                error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
                    }
                    answer(ctx, tenantId, requestId, started, found, false);
                    return null;
                }));
                return;
            }
            ReplicaState state = replica.state();
            if (!state.ready() && !serveStale) {
                throw TenantIndexException.notReady("colo " + replica.colo() + " is restoring its replica (lag "
                        + state.lag() + ")", RETRY_AFTER);
            }
            answer(ctx, tenantId, requestId, started, replica.lookup(tenantId), !state.ready());
        } catch (RuntimeException e) {
            throw fail(tenantId, requestId, started, e);
        }
    }

    private void answer(Context ctx, String tenantId, String requestId, long started,
                        Optional<TenantRegistration> found, boolean stale) {
        long micros = (System.nanoTime() - started) / 1000;
        replicaHeaders(ctx, stale);
        ctx.header("X-Index-Lookup-Micros", Long.toString(micros));
        if (found.isEmpty()) {
            misses.increment();
            latency.record(micros, TimeUnit.MICROSECONDS);
            usage.record(tenantId, LookupOutcome.miss, micros, requestId);
            throw new TenantIndexException(ErrorType.TENANT_NOT_FOUND, "tenant '" + tenantId + "' is not registered");
        }
        hits.increment();
        latency.record(micros, TimeUnit.MICROSECONDS);
        usage.record(tenantId, LookupOutcome.hit, micros, requestId);
        ctx.header("ETag", "\"" + found.get().getVersion() + "\"").json(TenantJson.of(found.get()));
    }

    /**
     * A random (version 4) UUID from the thread's own generator: a request id needs to be unique, not
     * unpredictable, and UUID.randomUUID() draws from one shared SecureRandom, a lock every lookup
     * thread would queue on.
     */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /** Records the failed lookup (a 404 was already recorded as a miss) and returns what to throw. */
    private RuntimeException fail(String tenantId, String requestId, long started, Throwable error) {
        RuntimeException e = error instanceof RuntimeException re ? re : new CompletionException(error);
        if (e instanceof TenantIndexException tie && tie.type() == ErrorType.TENANT_NOT_FOUND) {
            return e;
        }
        long micros = (System.nanoTime() - started) / 1000;
        boolean unavailable = e instanceof TenantIndexException tie && tie.status() == 503;
        boolean badInput = e instanceof TenantIndexException tie && tie.status() == 400;
        if (!badInput) {
            latency.record(micros, TimeUnit.MICROSECONDS);
        }
        if (unavailable) {
            notReady.increment();
            usage.record(tenantId, LookupOutcome.not_ready, micros, requestId);
        } else if (!badInput) {
            errors.increment();
            usage.record(tenantId, LookupOutcome.error, micros, requestId);
        }
        return e;
    }

    private void replicaHeaders(Context ctx, boolean stale) {
        ReplicaState state = replica.state();
        ctx.header("X-Colo", replica.colo());
        ctx.header("X-Replica-Lag", Long.toString(state.lag()));
        ctx.header("X-Replica-Staleness-Ms", Long.toString(state.stalenessMs()));
        if (stale) {
            ctx.header("X-Replica-Stale", "true");
        }
        if (state.degraded()) {
            ctx.header("X-Replica-Degraded-Since", state.degradedSince().toString());
        }
    }

    /** {@code ?wait=} as milliseconds ("250", "250ms") or seconds ("2s"), capped at read.max.wait.ms. */
    Duration waitOf(String raw) {
        if (raw == null || raw.isBlank()) {
            return readWait;
        }
        Matcher m = WAIT.matcher(raw.trim());
        if (!m.matches()) {
            throw TenantIndexException.badRequest("wait must be milliseconds (e.g. 500 or 500ms) or seconds (2s), got '" + raw + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = "s".equals(m.group(2)) ? Duration.ofSeconds(n) : Duration.ofMillis(n);
        return d.compareTo(readMaxWait) > 0 ? readMaxWait : d;
    }

    private void listTenants(Context ctx) {
        PageRequest request = PageRequest.from(ctx);
        ReplicaState state = replica.state();
        if (!state.ready() && !serveStale) {
            throw TenantIndexException.notReady("colo " + replica.colo() + " is restoring its replica", RETRY_AFTER);
        }
        IndexReplica.TenantPage page = replica.page(request.after(), request.limit());
        replicaHeaders(ctx, !state.ready());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("colo", replica.colo());
        body.put("items", page.items().stream().map(TenantJson::of).toList());
        body.put("nextCursor", page.nextCursor());
        ctx.json(body);
    }

    private void stats(Context ctx) {
        IndexReplica.ReplicaStats s = replica.stats();
        long h = hits.sum();
        long m = misses.sum();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("colo", s.colo());
        body.put("status", s.state().phase().name().toLowerCase());
        body.put("ready", s.state().ready());
        body.put("entries", s.entries());
        body.put("hits", h);
        body.put("misses", m);
        body.put("hitRatio", h + m == 0 ? 0.0 : (double) h / (h + m));
        body.put("notReady", notReady.sum());
        body.put("errors", errors.sum());
        body.put("position", stringKeys(s.position()));
        body.put("lag", s.state().lag());
        body.put("lagByPartition", stringKeys(s.lagByPartition()));
        body.put("lastAppliedAt", s.lastAppliedAt() == null ? null : s.lastAppliedAt().toString());
        body.put("stalenessMs", s.state().stalenessMs());
        body.put("poisonRecords", s.poisonRecords());
        body.put("reReadRecords", s.reReadRecords());
        body.put("restoredRecords", s.restoredRecords());
        body.put("restoreTotal", s.restoreTotal());
        body.put("usage", Map.of("emitted", usage.emitted(), "dropped", usage.dropped(), "failed", usage.failed()));
        body.put("generation", admin.generation());
        body.put("rebuild", admin.rebuildProgress().map(LookupRoutes::rebuildJson).orElse(null));
        ctx.json(body);
    }

    /** Blue/green rebuild from the topic: 202 with progress; the current replica keeps serving. */
    private void startRebuild(Context ctx) {
        auth.require(ctx, BearerAuth.Role.ADMIN);
        ctx.status(202).json(rebuildJson(admin.startRebuild()));
    }

    private void rebuildStatus(Context ctx) {
        ctx.json(admin.rebuildProgress().map(LookupRoutes::rebuildJson).orElseThrow(() ->
                new TenantIndexException(ErrorType.NOT_FOUND, "no rebuild has run in this process")));
    }

    private void digest(Context ctx) {
        IndexReplica.ReplicaDigest d = replica.digest();
        Map<String, Object> partitions = new LinkedHashMap<>();
        Map<String, Long> positions = new LinkedHashMap<>();
        d.partitions().forEach((p, pd) -> {
            partitions.put(Integer.toString(p), Map.of("hash", pd.hash(), "entries", pd.entries()));
            positions.put(Integer.toString(p), pd.position());
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("source", "colo");
        body.put("colo", replica.colo());
        body.put("ready", replica.state().ready());
        body.put("digest", d.totalHash());
        body.put("entries", d.totalEntries());
        body.put("partitions", partitions);
        body.put("positions", positions);
        ctx.json(body);
    }

    /** Liveness: 200 while the process runs; the body says ready / restoring / degraded. */
    private void health(Context ctx) {
        ctx.json(healthBody());
    }

    /** Readiness: 200 once caught up (or serving last-known-good), 503 + Retry-After while restoring. */
    private void ready(Context ctx) {
        Map<String, Object> body = healthBody();
        if (!replica.state().ready()) {
            ctx.header("Retry-After", Long.toString(RETRY_AFTER.toSeconds()));
            ctx.status(503);
        }
        ctx.json(body);
    }

    private Map<String, Object> healthBody() {
        IndexReplica.ReplicaStats s = replica.stats();
        ReplicaState state = s.state();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("colo", s.colo());
        body.put("status", state.phase().name().toLowerCase());
        body.put("ready", state.ready());
        body.put("lag", state.lag());
        body.put("stalenessMs", state.stalenessMs());
        if (state.degraded()) {
            body.put("degradedSince", state.degradedSince().toString());
            body.put("degradedReason", state.degradedReason());
        }
        if (!state.ready()) {
            Map<String, Object> progress = new LinkedHashMap<>();
            progress.put("restoredRecords", s.restoredRecords());
            progress.put("restoreTotal", s.restoreTotal());
            progress.put("percent", s.restoreTotal() <= 0 ? 0.0
                    : Math.min(100.0, 100.0 * s.restoredRecords() / s.restoreTotal()));
            body.put("progress", progress);
        }
        admin.rebuildProgress().filter(r -> r.finishedAt() == null).ifPresent(r -> body.put("rebuild", rebuildJson(r)));
        return body;
    }

    private static Map<String, Object> rebuildJson(ReplicaAdmin.RebuildProgress r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generation", r.generation());
        out.put("state", r.state());
        out.put("startedAt", r.startedAt().toString());
        out.put("finishedAt", r.finishedAt() == null ? null : r.finishedAt().toString());
        out.put("recordsApplied", r.recordsApplied());
        out.put("recordsExpected", r.recordsExpected());
        out.put("percent", r.percent());
        out.put("recordsPerSecond", r.recordsPerSecond());
        out.put("etaSeconds", r.etaSeconds());
        return out;
    }

    private static Map<String, Long> stringKeys(Map<Integer, Long> in) {
        Map<String, Long> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(Integer.toString(k), v));
        return out;
    }
}
