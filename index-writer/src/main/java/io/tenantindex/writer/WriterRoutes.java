package io.tenantindex.writer;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import io.tenantindex.common.ErrorType;
import io.tenantindex.common.TenantIds;
import io.tenantindex.common.TenantIndexException;
import io.tenantindex.common.http.BearerAuth;
import io.tenantindex.common.http.HttpServers;
import io.tenantindex.common.http.PageRequest;
import io.tenantindex.schemas.TenantJson;
import io.tenantindex.schemas.TenantRegistration;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The index-writer's HTTP API (README, "HTTP interface"; {@code GET /openapi.json}). */
final class WriterRoutes {
    static final String TOKEN_HEADER = "X-Consistency-Token";
    /** Import results list at most this many failed lines; the counts are always complete. */
    private static final int MAX_REPORTED_ERRORS = 1000;

    private final WriterApp app;
    private final WriterConfig config;
    private final Timer writeLatency;

    WriterRoutes(WriterApp app, WriterConfig config, Timer writeLatency) {
        this.app = app;
        this.config = config;
        this.writeLatency = writeLatency;
    }

    /** Submits a write and times it until Kafka has committed it (or it failed). */
    private CompletableFuture<WriteResult> submit(WriteCommand command) {
        long started = System.nanoTime();
        return app.writer().submit(command)
                .whenComplete((r, e) -> writeLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS))
                // The status page lists the last committed writes.
                .whenComplete((r, e) -> {
                    if (r != null) {
                        app.statusPage().changes().record(command.tenantId(), r);
                    }
                });
    }

    void register(JavalinConfig c) {
        c.routes.put("/tenants/{tenantId}", this::put);
        c.routes.delete("/tenants/{tenantId}", this::delete);
        c.routes.get("/tenants/{tenantId}", this::get);
        c.routes.get("/tenants", this::list);
        c.routes.post("/tenants:import", this::importNdjson);
        c.routes.get("/replicas", ctx -> ctx.json(Map.of("replicas", app.replicaMonitor().replicas())));
        c.routes.get("/digest", this::digest);
        c.routes.get("/health", this::health);
        c.routes.get("/health/ready", this::ready);
    }

    private void put(Context ctx) {
        config.auth().require(ctx, BearerAuth.Role.WRITER);
        String tenantId = TenantIds.requireValid(ctx.pathParam("tenantId"));
        HttpServers.requireJsonBody(ctx);
        RegistrationRequest request = RegistrationRequest.parse(HttpServers.boundedBody(ctx, config.maxBodyBytes()), tenantId);
        Precondition precondition = Precondition.fromHeaders(ctx.header("If-Match"), ctx.header("If-None-Match"),
                request.expectedVersion());
        CompletableFuture<WriteResult> result = submit(new WriteCommand.Put(request, precondition));
        ctx.future(() -> result.thenAccept(r -> ctx.status(r.created() ? 201 : 200)
                .header("ETag", etag(r.version()))
                .header(TOKEN_HEADER, r.token().encode())
                .json(TenantJson.of(r.entry()))));
    }

    private void delete(Context ctx) {
        config.auth().require(ctx, BearerAuth.Role.WRITER);
        String tenantId = TenantIds.requireValid(ctx.pathParam("tenantId"));
        Precondition precondition = Precondition.fromHeaders(ctx.header("If-Match"), ctx.header("If-None-Match"), 0);
        CompletableFuture<WriteResult> result = submit(new WriteCommand.Delete(tenantId, precondition));
        ctx.future(() -> result.thenAccept(r -> ctx.status(204).header(TOKEN_HEADER, r.token().encode())));
    }

    private void get(Context ctx) {
        String tenantId = TenantIds.requireValid(ctx.pathParam("tenantId"));
        TenantRegistration entry = app.view().get(tenantId);
        if (entry == null) {
            throw new TenantIndexException(ErrorType.TENANT_NOT_FOUND, "tenant " + tenantId + " is not registered");
        }
        ctx.header("ETag", etag(entry.getVersion())).json(TenantJson.of(entry));
    }

    /** Pages through the authoritative view in key order: the colos' GET /tenants contract, for diffing. */
    private void list(Context ctx) {
        PageRequest request = PageRequest.from(ctx);
        TenantView.Page page = app.view().page(request.after(), request.limit());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("source", "writer");
        body.put("items", page.items().stream().map(TenantJson::of).toList());
        body.put("nextCursor", page.nextCursor());
        ctx.json(body);
    }

    /**
     * NDJSON, one registration per line. Lines are validated one by one; good lines are written in
     * transactions of up to writer.max.batch records while bad ones are reported, so a batch is
     * not all-or-nothing. The answer carries the token of the last write.
     */
    private void importNdjson(Context ctx) {
        config.auth().require(ctx, BearerAuth.Role.ADMIN);
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/x-ndjson") && !type.startsWith("application/jsonl")) {
            throw new TenantIndexException(ErrorType.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/x-ndjson");
        }
        if (ctx.contentLength() > config.maxImportBytes()) {
            throw new TenantIndexException(ErrorType.PAYLOAD_TOO_LARGE, "import body is larger than " + config.maxImportBytes() + " bytes");
        }
        ImportReport report = new ImportReport();
        List<Pending> chunk = new ArrayList<>(config.maxBatch());
        // Two chunks in flight: the writer commits one while this thread parses the next.
        List<Pending> inFlight = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new LimitedInputStream(ctx.bodyInputStream(), config.maxImportBytes()),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)))) {
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                report.lines++;
                try {
                    RegistrationRequest request = RegistrationRequest.parseImportLine(line);
                    chunk.add(new Pending(lineNo, request.tenantId(), submit(new WriteCommand.Put(request,
                            new Precondition(0, false, request.expectedVersion())))));
                } catch (TenantIndexException e) {
                    report.fail(lineNo, null, e);
                }
                if (chunk.size() >= config.maxBatch()) {
                    report.await(inFlight);
                    List<Pending> submitted = inFlight;
                    inFlight = chunk;
                    chunk = submitted;
                }
            }
        } catch (PayloadTooLarge e) {
            report.await(inFlight);
            report.await(chunk);
            throw new TenantIndexException(ErrorType.PAYLOAD_TOO_LARGE, "import body is larger than " + config.maxImportBytes()
                    + " bytes; the lines before the limit were written (" + report.written + ")");
        } catch (IOException e) {
            report.await(inFlight);
            report.await(chunk);
            throw TenantIndexException.badRequest("unreadable import body (" + e + "); lines written before it: " + report.written);
        }
        report.await(inFlight);
        report.await(chunk);
        ctx.status(report.written > 0 || report.lines == 0 ? 200 : 400);
        if (report.lastToken != null) {
            ctx.header(TOKEN_HEADER, report.lastToken);
        }
        ctx.json(report.toJson());
    }

    private record Pending(int line, String tenantId, CompletableFuture<WriteResult> result) {
    }

    private static final class ImportReport {
        long lines;
        long written;
        long failed;
        String lastToken;
        final List<Map<String, Object>> errors = new ArrayList<>();

        void await(List<Pending> chunk) {
            for (Pending p : chunk) {
                try {
                    WriteResult r = p.result.join();
                    written++;
                    lastToken = r.token().encode();
                } catch (java.util.concurrent.CompletionException e) {
                    fail(p.line, p.tenantId, e.getCause());
                }
            }
            chunk.clear();
        }

        void fail(int line, String tenantId, Throwable error) {
            failed++;
            if (errors.size() < MAX_REPORTED_ERRORS) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("line", line);
                e.put("tenantId", tenantId);
                e.put("error", error instanceof TenantIndexException t ? t.type().name() : ErrorType.INTERNAL.name());
                e.put("message", error.getMessage());
                errors.add(e);
            }
        }

        Map<String, Object> toJson() {
            // Parse errors are reported at once, write errors when their chunk completes: sort by line.
            errors.sort(java.util.Comparator.comparingInt(e -> (Integer) e.get("line")));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("lines", lines);
            out.put("written", written);
            out.put("failed", failed);
            out.put("errors", errors);
            out.put("token", lastToken);
            return out;
        }
    }

    private void digest(Context ctx) {
        TenantView.DigestSnapshot d = app.view().digest();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", "writer");
        out.put("digest", d.hash());
        out.put("entries", d.entries());
        out.put("partitions", d.partitions());
        Map<String, Long> positions = new LinkedHashMap<>();
        for (int p = 0; p < d.positions().length; p++) {
            positions.put(Integer.toString(p), d.positions()[p]);
        }
        out.put("positions", positions);
        ctx.json(out);
    }

    private void health(Context ctx) {
        ctx.json(app.health());
    }

    private void ready(Context ctx) {
        Map<String, Object> health = app.health();
        if (!Boolean.TRUE.equals(health.get("ready"))) {
            throw new TenantIndexException(ErrorType.NOT_READY, "writer is " + health.get("status"), Duration.ofSeconds(1), null);
        }
        ctx.json(health);
    }

    private static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** Thrown when an import body passes the configured limit. */
    private static final class PayloadTooLarge extends IOException {
        PayloadTooLarge() {
            super("payload too large");
        }
    }

    /** Counts bytes and fails past the limit, so a chunked upload without Content-Length is bounded too. */
    private static final class LimitedInputStream extends java.io.FilterInputStream {
        private final long limit;
        private long count;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            count += n;
            if (count > limit) {
                throw new PayloadTooLarge();
            }
        }
    }
}
