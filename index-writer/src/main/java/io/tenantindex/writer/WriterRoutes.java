package io.tenantindex.writer;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.Timer;
import io.tenantindex.common.TenantIds;
import io.tenantindex.common.api.ImportReport;
import io.tenantindex.common.api.TenantPage;
import io.tenantindex.common.api.WriterHealth;
import io.tenantindex.common.http.BearerAuth;
import io.tenantindex.common.http.ConditionalGet;
import io.tenantindex.common.http.HttpServers;
import io.tenantindex.common.http.PageRequest;
import io.tenantindex.protocol.ApiHeaders;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.TenantJson;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.writer.status.RecentChanges;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The index-writer's HTTP API: writes, reads of the authoritative view, the bulk import, digest and health. */
final class WriterRoutes {
    private static final Pattern AGE = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private final WriterConfig config;
    private final IndexWriter writer;
    private final BooleanSupplier replayed;
    private final Supplier<String> leader;
    private final TenantView view;
    private final ReplicaMonitor replicas;
    private final Supplier<WriterHealth> health;
    private final RecentChanges changes;
    private final Timer writeLatency;

    /**
     * @param replayed true once the writer has replayed the topic; writes before that are 503
     * @param leader   the active writer's URL a standby redirects writes to; null while none is known
     * @param changes  where each committed write is recorded for the status page
     */
    WriterRoutes(WriterConfig config, IndexWriter writer, BooleanSupplier replayed, Supplier<String> leader, TenantView view,
                 ReplicaMonitor replicas, Supplier<WriterHealth> health, RecentChanges changes, Timer writeLatency) {
        this.config = config;
        this.writer = writer;
        this.replayed = replayed;
        this.leader = leader;
        this.view = view;
        this.replicas = replicas;
        this.health = health;
        this.changes = changes;
        this.writeLatency = writeLatency;
    }

    /** Submits a write and times it until Kafka has committed it (or it failed). */
    private CompletableFuture<WriteResult> submit(WriteCommand command) {
        // A fenced writer answers every write itself (503 WRITER_FENCED), replayed or not.
        if (!replayed.getAsBoolean() && writer.role() != IndexWriter.Role.FENCED) {
            throw TenantIndexException.notReady("writer is still replaying the index topic", Duration.ofSeconds(1));
        }
        long started = System.nanoTime();
        return writer.submit(command)
                .whenComplete((r, e) -> writeLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS))
                .whenComplete((r, e) -> {
                    if (r != null) {
                        changes.record(command.tenantId(), r);
                    }
                });
    }

    /**
     * The session the request continues: its {@code X-Consistency-Token}, null when it carries none.
     * Checked before anything is written, so a malformed or foreign token (another topic or
     * partition count) is 400 INVALID_TOKEN and writes nothing.
     */
    private ConsistencyToken session(Context ctx) {
        String raw = ctx.header(ApiHeaders.CONSISTENCY_TOKEN);
        return raw == null ? null : ConsistencyToken.decode(raw, config.topics().index().name(), view.partitions());
    }

    /** The token a write answers with: its own position merged into the session the request carried. */
    private static String answerToken(ConsistencyToken session, WriteResult r) {
        return (session == null ? r.token() : session.merge(r.token())).encode();
    }

    /**
     * A standby sends a write to the active writer with 307, which keeps the method and the body, so
     * the client repeats exactly this request there. True when it answered so; 503 while no writer
     * is known to lead (an election under way, or this writer taking over).
     */
    private boolean redirectedToLeader(Context ctx) {
        if (writer.role() != IndexWriter.Role.STANDBY || !replayed.getAsBoolean()) {
            return false;
        }
        String target = leader.get();
        if (target == null) {
            throw TenantIndexException.notReady("no writer is active right now; the election is under way", Duration.ofSeconds(1));
        }
        String query = ctx.queryString();
        ctx.redirect(target + ctx.path() + (query == null ? "" : "?" + query), HttpStatus.TEMPORARY_REDIRECT);
        return true;
    }

    void register(JavalinConfig c) {
        c.routes.put("/tenants/{tenantId}", this::put);
        c.routes.delete("/tenants/{tenantId}", this::delete);
        c.routes.get("/tenants/{tenantId}", this::get);
        c.routes.get("/tenants", this::list);
        c.routes.post("/tenants:import", this::importNdjson);
        c.routes.get("/replicas", ctx -> ctx.json(replicas.replicas()));
        c.routes.post("/admin/replicas:prune", this::pruneReplicas);
        c.routes.get("/digest", ctx -> ctx.json(view.digest()));
        c.routes.get("/health", ctx -> ctx.json(health.get()));
        c.routes.get("/health/ready", this::ready);
    }

    private void put(Context ctx) {
        config.auth().require(ctx, BearerAuth.Role.WRITER);
        if (redirectedToLeader(ctx)) {
            return;
        }
        String tenantId = TenantIds.requireValid(ctx.pathParam("tenantId"));
        HttpServers.requireJsonBody(ctx);
        RegistrationRequest request = RegistrationRequest.parse(HttpServers.boundedBody(ctx, config.maxBodyBytes()), tenantId);
        Precondition precondition = Precondition.fromHeaders(ctx.header(Header.IF_MATCH), ctx.header(Header.IF_NONE_MATCH),
                request.expectedVersion());
        ConsistencyToken session = session(ctx);
        CompletableFuture<WriteResult> result = submit(new WriteCommand.Put(request, precondition));
        ctx.future(() -> result.thenAccept(r -> ctx.status(r.created() ? 201 : 200)
                .header(Header.ETAG, ApiHeaders.etag(r.version()))
                .header(ApiHeaders.CONSISTENCY_TOKEN, answerToken(session, r))
                .json(TenantJson.of(r.entry()))));
    }

    private void delete(Context ctx) {
        config.auth().require(ctx, BearerAuth.Role.WRITER);
        if (redirectedToLeader(ctx)) {
            return;
        }
        String tenantId = TenantIds.requireValid(ctx.pathParam("tenantId"));
        Precondition precondition = Precondition.fromHeaders(ctx.header(Header.IF_MATCH), ctx.header(Header.IF_NONE_MATCH), 0);
        ConsistencyToken session = session(ctx);
        CompletableFuture<WriteResult> result = submit(new WriteCommand.Delete(tenantId, precondition));
        ctx.future(() -> result.thenAccept(r -> ctx.status(204).header(ApiHeaders.CONSISTENCY_TOKEN, answerToken(session, r))));
    }

    private void get(Context ctx) {
        String tenantId = TenantIds.requireValid(ctx.pathParam("tenantId"));
        TenantRegistration entry = view.get(tenantId);
        if (entry == null) {
            throw new TenantIndexException(ErrorType.TENANT_NOT_FOUND, "tenant " + tenantId + " is not registered");
        }
        ConditionalGet.json(ctx, ApiHeaders.etag(entry.getVersion()), TenantJson.of(entry));
    }

    /** Pages through the authoritative view in key order: the colos' GET /tenants contract, for diffing. */
    private void list(Context ctx) {
        PageRequest request = PageRequest.from(ctx);
        TenantView.Page page = view.page(request.after(), request.limit());
        ctx.json(TenantPage.ofWriter(page.items().stream().map(TenantJson::of).toList(), page.nextCursor()));
    }

    /** NDJSON, one registration per line (see {@link NdjsonImport}); needs the admin token. */
    private void importNdjson(Context ctx) {
        config.auth().require(ctx, BearerAuth.Role.ADMIN);
        if (redirectedToLeader(ctx)) {
            return;
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/x-ndjson") && !type.startsWith("application/jsonl")) {
            throw new TenantIndexException(ErrorType.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/x-ndjson");
        }
        if (ctx.contentLength() > config.maxImportBytes()) {
            throw new TenantIndexException(ErrorType.PAYLOAD_TOO_LARGE, "import body is larger than " + config.maxImportBytes() + " bytes");
        }
        ConsistencyToken session = session(ctx);
        ImportReport report = new NdjsonImport(this::submit, session, config.maxBatch(), config.maxImportBytes()).run(ctx.bodyInputStream());
        ctx.status(report.written() > 0 || report.lines() == 0 ? 200 : 400);
        if (report.token() != null) {
            ctx.header(ApiHeaders.CONSISTENCY_TOKEN, report.token());
        }
        ctx.json(report);
    }

    /** Deletes the consumer groups of colo instances not seen for {@code olderThan}; needs the admin token. */
    private void pruneReplicas(Context ctx) {
        config.auth().require(ctx, BearerAuth.Role.ADMIN);
        String olderThan = ctx.queryParam("olderThan");
        if (olderThan == null) {
            throw new TenantIndexException(ErrorType.BAD_REQUEST, "olderThan is required, e.g. ?olderThan=7d");
        }
        String dryRun = ctx.queryParam("dryRun") == null ? "false" : ctx.queryParam("dryRun");
        // Anything but true or false is refused: a mistyped dry run must not delete.
        if (!dryRun.equals("true") && !dryRun.equals("false")) {
            throw new TenantIndexException(ErrorType.BAD_REQUEST, "dryRun must be true or false, got '" + dryRun + "'");
        }
        ctx.json(replicas.prune(age(olderThan), ctx.queryParam("colo"), dryRun.equals("true")));
    }

    /** {@code 7d}, {@code 12h}, {@code 30m}, {@code 2s}, {@code 1500ms}; at least a second, so "not seen" means something. */
    static Duration age(String text) {
        Matcher m = AGE.matcher(text.trim());
        if (!m.matches()) {
            throw new TenantIndexException(ErrorType.BAD_REQUEST, "olderThan must be a number with ms, s, m, h or d, e.g. 7d; got '"
                    + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration age = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (age.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new TenantIndexException(ErrorType.BAD_REQUEST, "olderThan must be at least 1s, got '" + text + "'");
        }
        return age;
    }

    private void ready(Context ctx) {
        WriterHealth current = health.get();
        if (!current.ready()) {
            throw new TenantIndexException(ErrorType.NOT_READY, "writer is " + current.status(), Duration.ofSeconds(1), null);
        }
        ctx.json(current);
    }
}
