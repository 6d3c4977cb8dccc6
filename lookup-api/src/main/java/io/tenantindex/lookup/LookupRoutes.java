package io.tenantindex.lookup;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tenantindex.colo.IndexReplica.EncodedEntry;
import io.tenantindex.colo.IndexReplica.Phase;
import io.tenantindex.colo.IndexReplica.ReplicaState;
import io.tenantindex.colo.IndexReplica;
import io.tenantindex.colo.ReplicaAdmin;
import io.tenantindex.common.TenantIds;
import io.tenantindex.common.api.ColoHealth;
import io.tenantindex.common.api.ColoStats;
import io.tenantindex.common.api.DigestReport;
import io.tenantindex.common.api.RebuildStatus;
import io.tenantindex.common.api.TenantPage;
import io.tenantindex.common.http.BearerAuth;
import io.tenantindex.common.http.ClasspathResources;
import io.tenantindex.common.http.PageRequest;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.protocol.ApiHeaders;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.LookupOutcome;
import io.tenantindex.schemas.TenantJson;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lookup API of one colo. Depends only on {@link IndexReplica} (so tests run it over HTTP with
 * an in-memory replica) and on the {@link UsageRecorder} that every lookup is reported to.
 *
 * <p>Every lookup answer says where the replica stands: {@code X-Colo}, {@code X-Replica-Lag},
 * {@code X-Replica-Staleness-Ms}, plus {@code X-Replica-Stale: true} when read from a store that
 * may be behind what the colo already answered from (served before the replica caught up, or from a
 * partition's store restored after its task closed and not yet back where it was) and {@code X-Replica-Degraded-Since} when Kafka is unreachable. With
 * {@code lookup.fallback.url}, a lookup the replica cannot answer yet is answered by the writer,
 * marked {@code X-Replica-Fallback: primary} ({@link PrimaryFallback}).
 */
public final class LookupRoutes {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Pattern WAIT = Pattern.compile("(\\d{1,9})(ms|s)?");

    private final IndexReplica replica;
    private final ReplicaAdmin admin;
    private final UsageRecorder usage;
    private final String indexTopic;
    private final Duration readWait;
    private final Duration readMaxWait;
    private final boolean serveStale;
    /** Null without {@code lookup.fallback.url}. */
    private final PrimaryFallback fallback;
    private final BearerAuth auth;
    private final Map<LookupOutcome, LongAdder> lookups = new EnumMap<>(LookupOutcome.class);
    private final Timer latency;

    public LookupRoutes(IndexReplica replica, ReplicaAdmin admin, UsageRecorder usage, ColoConfig config, MeterRegistry metrics) {
        this.replica = replica;
        this.admin = admin;
        this.usage = usage;
        this.indexTopic = config.materializer().indexTopic();
        this.readWait = config.readWait();
        this.readMaxWait = config.readMaxWait();
        this.serveStale = config.serveStaleWhileRestoring();
        this.fallback = config.fallbackUrl().map(url -> new PrimaryFallback(url, config.fallbackTimeout())).orElse(null);
        this.auth = config.auth();
        this.latency = Timer.builder("tenant_index_lookup_latency")
                .description("Lookup request received → answered (tokened lookups include their wait)")
                // Micrometer's default buckets start at 1 ms, and most lookups take microseconds;
                // percentiles come from the buckets (histogram_quantile), as the Grafana dashboard does.
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(15))
                .register(metrics);
        for (LookupOutcome outcome : LookupOutcome.values()) {
            lookups.put(outcome, new LongAdder());
            FunctionCounter.builder("tenant_index_lookups", lookups.get(outcome), LongAdder::sum)
                    .description("Lookups by outcome").tag("outcome", outcome.name()).register(metrics);
        }
        Map.<String, ToDoubleFunction<UsageRecorder>>of(
                "emitted", UsageRecorder::emitted, "dropped", UsageRecorder::dropped, "failed", UsageRecorder::failed)
                .forEach((result, count) -> FunctionCounter.builder("tenant_index_usage_events", usage, count)
                        .description("Usage events by fate: emitted to Kafka, dropped (buffer full), failed")
                        .tag("result", result).register(metrics));
    }

    public void register(JavalinConfig config) {
        config.jetty.modifyServer(server -> server.setHandler(new LookupHandler(this)));
        config.routes.get("/tenants/{tenantId}", ctx -> lookup(LookupExchange.of(ctx), ctx.pathParam("tenantId")));
        config.routes.get("/tenants", this::listTenants);
        config.routes.get("/stats", this::stats);
        config.routes.get("/digest", this::digest);
        config.routes.get("/health", this::health);
        config.routes.get("/health/ready", this::ready);
        ClasspathResources.openApi(config, "openapi/lookup-api.json");
        config.routes.post("/admin/rebuild", this::startRebuild);
        config.routes.get("/admin/rebuild", this::rebuildStatus);
    }

    /** One lookup being answered: what its usage event and latency are recorded with. */
    private record Lookup(String tenantId, String requestId, long startedNanos) {
        long micros() {
            return (System.nanoTime() - startedNanos) / 1000;
        }
    }

    /**
     * Where a lookup's answer came from: this replica's running task, a store that may be behind what
     * this colo already answered from (restoring, or restored and catching up), or the writer.
     */
    private enum Source { REPLICA, STALE, PRIMARY }

    private record Answer(Optional<EncodedEntry> entry, Source source) {
    }

    /** GET (or HEAD) /tenants/{tenantId}: answers on {@code ctx}, or throws what to answer. */
    void lookup(LookupExchange ctx, String rawTenantId) {
        long started = System.nanoTime();
        String tenantId = TenantIds.requireValid(rawTenantId);
        Lookup lookup = new Lookup(tenantId,
                Optional.ofNullable(ctx.header(ApiHeaders.REQUEST_ID)).orElseGet(LookupRoutes::newRequestId), started);
        String rawToken = Optional.ofNullable(ctx.header(ApiHeaders.CONSISTENCY_TOKEN)).orElse(ctx.queryParam("token"));
        ReplicaState state = null;
        Answer answer = null;
        RuntimeException failure = null;
        try {
            if (rawToken != null) {
                ConsistencyToken token = ConsistencyToken.decode(rawToken, indexTopic, replica.partitions());
                Duration wait = waitOf(ctx.queryParam("wait"));
                // A tokened answer is exact once the position is applied, so it is not gated on readiness.
                finishLater(ctx, lookup, replica.lookupAtLeast(tenantId, token, wait)
                        .thenApply(LookupRoutes::answerOf)
                        .exceptionallyCompose(error -> fromPrimaryOr(tenantId, unwrap(error))));
                return;
            }
            state = replica.state();
            if (state.ready() || state.phase() == Phase.REBALANCING && !serveStale) {
                // Only from this instance's running task of the key's partition: 503 for a partition it lost.
                answer = answerOf(replica.lookupEncoded(tenantId));
            } else if (serveStale) {
                answer = answerOf(replica.lookupStale(tenantId));
            } else {
                throw TenantIndexException.notReady("colo " + replica.colo() + " is restoring its replica (lag "
                        + state.lag() + ")", RETRY_AFTER);
            }
        } catch (RuntimeException e) {
            if (fallback != null && isNotReady(e)) {
                finishLater(ctx, lookup, fromPrimaryOr(tenantId, e));
                return;
            }
            failure = e;
        }
        finish(ctx, lookup, state, answer, failure);
    }

    /** A replica's answer is stale when it was read from a store behind what this colo already answered from. */
    private static Answer answerOf(IndexReplica.Read read) {
        return new Answer(read.registration().map(EncodedEntry::of), read.behind() ? Source.STALE : Source.REPLICA);
    }

    private static Answer answerOf(IndexReplica.EncodedRead read) {
        return new Answer(read.entry(), read.behind() ? Source.STALE : Source.REPLICA);
    }

    /** The writer's answer where the replica cannot answer yet and a fallback is configured, else {@code failure}. */
    private CompletableFuture<Answer> fromPrimaryOr(String tenantId, RuntimeException failure) {
        if (fallback == null || !isNotReady(failure)) {
            return CompletableFuture.failedFuture(failure);
        }
        return fallback.lookup(tenantId, (TenantIndexException) failure).thenApply(found -> new Answer(found.map(EncodedEntry::of), Source.PRIMARY));
    }

    /**
     * The replica cannot answer yet: NOT_READY, or a token's position not reached while the replica is
     * not ready (restoring); a ready replica that is merely behind keeps its NOT_UP_TO_BOUND.
     */
    private boolean isNotReady(RuntimeException e) {
        return e instanceof TenantIndexException t && (t.type() == ErrorType.NOT_READY
                || t.type() == ErrorType.NOT_UP_TO_BOUND && !replica.state().ready());
    }

    private void finishLater(LookupExchange ctx, Lookup lookup, CompletableFuture<Answer> answer) {
        ctx.later(answer.handle((a, error) -> {
            finish(ctx, lookup, null, a, error == null ? null : unwrap(error));
            return null;
        }));
    }

    static RuntimeException unwrap(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof RuntimeException re ? re : new CompletionException(cause);
    }

    /**
     * Ends a lookup: records its outcome (the one place that counts, times and reports lookups as
     * usage events), then answers it, or throws {@code failure} or the 404 of a miss. The headers say
     * where the replica stood when a synchronous answer was read ({@code readUnder}: taken once, as
     * taking it asks the reader which partitions it serves); an answer that came later ({@code readUnder}
     * null) says where it stands now.
     */
    private void finish(LookupExchange ctx, Lookup lookup, ReplicaState readUnder, Answer answer, RuntimeException failure) {
        long micros = lookup.micros();
        LookupOutcome outcome = failure != null ? outcomeOf(failure) : answer.entry().isPresent() ? LookupOutcome.hit : LookupOutcome.miss;
        // A bad request (invalid token or wait) is not a lookup: neither counted nor reported.
        if (outcome != null) {
            lookups.get(outcome).increment();
            latency.record(micros, TimeUnit.MICROSECONDS);
            usage.record(lookup.tenantId(), outcome, micros, lookup.requestId());
        }
        if (failure != null) {
            throw failure;
        }
        replicaHeaders(ctx::header, readUnder != null ? readUnder : replica.state(), answer.source() == Source.STALE);
        if (answer.source() == Source.PRIMARY) {
            ctx.header(ApiHeaders.REPLICA_FALLBACK, "primary");
        }
        ctx.header(ApiHeaders.INDEX_LOOKUP_MICROS, Long.toString(micros));
        EncodedEntry entry = answer.entry().orElseThrow(() ->
                new TenantIndexException(ErrorType.TENANT_NOT_FOUND, "tenant '" + lookup.tenantId() + "' is not registered"));
        ctx.json(ApiHeaders.etag(entry.version()), entry.json());
    }

    private static LookupOutcome outcomeOf(RuntimeException failure) {
        if (!(failure instanceof TenantIndexException e)) {
            return LookupOutcome.error;
        }
        if (e.type() == ErrorType.TENANT_NOT_FOUND) {
            return LookupOutcome.miss;
        }
        return e.status() == 503 ? LookupOutcome.not_ready : e.status() == 400 ? null : LookupOutcome.error;
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

    private void replicaHeaders(BiConsumer<String, String> header, ReplicaState state, boolean stale) {
        header.accept(ApiHeaders.COLO, replica.colo());
        header.accept(ApiHeaders.REPLICA_LAG, Long.toString(state.lag()));
        header.accept(ApiHeaders.REPLICA_STALENESS_MS, Long.toString(state.stalenessMs()));
        if (stale) {
            header.accept(ApiHeaders.REPLICA_STALE, "true");
        }
        if (state.degraded()) {
            header.accept(ApiHeaders.REPLICA_DEGRADED_SINCE, state.degradedSince().toString());
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
        replicaHeaders(ctx::header, state, !state.ready());
        ctx.json(TenantPage.ofColo(replica.colo(), page.items().stream().map(TenantJson::of).toList(), page.nextCursor()));
    }

    private void stats(Context ctx) {
        IndexReplica.ReplicaStats s = replica.stats();
        long h = lookups.get(LookupOutcome.hit).sum();
        long m = lookups.get(LookupOutcome.miss).sum();
        ctx.json(new ColoStats(s.colo(), phase(s.state()), s.state().ready(), s.entries(), h, m,
                h + m == 0 ? 0.0 : (double) h / (h + m), lookups.get(LookupOutcome.not_ready).sum(),
                lookups.get(LookupOutcome.error).sum(), s.position(), s.state().lag(), s.lagByPartition(),
                s.lastAppliedAt() == null ? null : s.lastAppliedAt().toString(), s.state().stalenessMs(), s.poisonRecords(),
                s.reReadRecords(), s.restoredRecords(), s.restoreTotal(),
                new ColoStats.UsageCounts(usage.emitted(), usage.dropped(), usage.failed()), admin.generation(),
                admin.rebuildProgress().map(LookupRoutes::rebuildStatus).orElse(null)));
    }

    private static String phase(ReplicaState state) {
        return state.phase().name().toLowerCase();
    }

    /** Blue/green rebuild from the topic: 202 with progress; the current replica keeps serving. */
    private void startRebuild(Context ctx) {
        auth.require(ctx, BearerAuth.Role.ADMIN);
        ctx.status(202).json(rebuildStatus(admin.startRebuild()));
    }

    private void rebuildStatus(Context ctx) {
        ctx.json(admin.rebuildProgress().map(LookupRoutes::rebuildStatus).orElseThrow(() ->
                new TenantIndexException(ErrorType.NOT_FOUND, "no rebuild has run in this process")));
    }

    /** The digest at the replica's applied positions (the offset of the last applied record per partition). */
    private void digest(Context ctx) {
        IndexReplica.ReplicaDigest d = replica.digest();
        Map<Integer, DigestReport.Partition> partitions = new HashMap<>();
        Map<Integer, Long> positions = new HashMap<>();
        d.partitions().forEach((p, pd) -> {
            partitions.put(p, new DigestReport.Partition(pd.hash(), pd.entries()));
            positions.put(p, pd.position());
        });
        ctx.json(DigestReport.ofColo(replica.colo(), replica.state().ready(), d.totalHash(), d.totalEntries(),
                partitions, positions));
    }

    /** Liveness: 200 while the process runs; the body says ready / restoring / degraded. */
    private void health(Context ctx) {
        ctx.json(health());
    }

    /** Readiness: 200 once caught up (or serving last-known-good), 503 + Retry-After while restoring. */
    private void ready(Context ctx) {
        ColoHealth body = health();
        if (!replica.state().ready()) {
            ctx.header(Header.RETRY_AFTER, Long.toString(RETRY_AFTER.toSeconds()));
            ctx.status(503);
        }
        ctx.json(body);
    }

    private ColoHealth health() {
        IndexReplica.ReplicaStats s = replica.stats();
        ReplicaState state = s.state();
        ColoHealth.RestoreProgress progress = state.ready() ? null : new ColoHealth.RestoreProgress(s.restoredRecords(),
                s.restoreTotal(), s.restoreTotal() <= 0 ? 0.0 : Math.min(100.0, 100.0 * s.restoredRecords() / s.restoreTotal()));
        return new ColoHealth(s.colo(), phase(state), state.ready(), state.lag(), state.stalenessMs(),
                state.degraded() ? state.degradedSince().toString() : null, state.degraded() ? state.degradedReason() : null,
                progress, admin.rebuildProgress().filter(r -> r.finishedAt() == null || r.failed())
                .map(LookupRoutes::rebuildStatus).orElse(null),
                admin.startupRebuild().map(r -> new ColoHealth.StartupRebuild(r.at().toString(), r.reason())).orElse(null));
    }

    private static RebuildStatus rebuildStatus(ReplicaAdmin.RebuildProgress r) {
        return new RebuildStatus(r.generation(), r.state(), r.startedAt().toString(),
                r.finishedAt() == null ? null : r.finishedAt().toString(), r.recordsApplied(), r.recordsExpected(),
                r.percent(), r.recordsPerSecond(), r.etaSeconds(), r.error());
    }
}
