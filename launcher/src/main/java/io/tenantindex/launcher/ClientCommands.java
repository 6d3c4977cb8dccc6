package io.tenantindex.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Header;
import io.tenantindex.common.Json;
import io.tenantindex.common.api.ImportReport;
import io.tenantindex.common.api.RegistrationBody;
import io.tenantindex.common.http.BearerAuth;
import io.tenantindex.protocol.ApiHeaders;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The CLI subcommands that read and write tenants and their usage over the stack's HTTP APIs. */
final class ClientCommands {
    private ClientCommands() {
    }

    /** Adds {@code X-Consistency-Token} when there is one: a write continues that session, a lookup waits for it. */
    private static HttpRequest.Builder withToken(HttpRequest.Builder req, String token) {
        return token == null ? req : req.header(ApiHeaders.CONSISTENCY_TOKEN, token);
    }

    @Command(name = "register", mixinStandardHelpOptions = true, description = "Register or update a tenant.")
    static final class Register implements Callable<Integer> {
        @Mixin
        Target target;
        @Parameters(index = "0", description = "Tenant id.")
        String tenantId;
        @Option(names = "--tier", required = true, description = "free, pro or enterprise.")
        String tier;
        @Option(names = "--colo-hint", description = "Preferred colo, e.g. SJC.")
        String coloHint;
        @Option(names = "--feature", description = "A feature flag (repeat for more).")
        List<String> features = new ArrayList<>();
        @Option(names = "--max-connections")
        Integer maxConnections;
        @Option(names = "--region")
        String region;
        @Option(names = "--if-match", description = "Only if the tenant is at this version.")
        Long ifMatch;
        @Option(names = "--create-only", description = "Only if the tenant does not exist.")
        boolean createOnly;
        @Option(names = "--token", description = "Consistency token of earlier writes: the answer's token covers them and this one.")
        String token;

        @Override
        public Integer call() {
            String body = Json.write(RegistrationBody.of(coloHint, tier, features, maxConnections, region));
            HttpRequest.Builder req = target.authorized(withToken(ApiClient.request(target.writerUrl, "/tenants/" + tenantId)
                    .header(Header.CONTENT_TYPE, "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)), token),
                    BearerAuth.Role.WRITER);
            if (ifMatch != null) {
                req.header(Header.IF_MATCH, ApiHeaders.etag(ifMatch));
            }
            if (createOnly) {
                req.header(Header.IF_NONE_MATCH, "*");
            }
            return target.print(ApiClient.send(req));
        }
    }

    @Command(name = "lookup", mixinStandardHelpOptions = true, description = "Look a tenant up in a colo (or at the writer).")
    static final class Lookup implements Callable<Integer> {
        @Mixin
        Target target;
        @Parameters(index = "0", description = "Tenant id.")
        String tenantId;
        @Option(names = "--colo", defaultValue = "ORD", description = "Colo to ask (default ORD); 'writer' asks the primary.")
        String colo;
        @Option(names = "--token", description = "Consistency token from a write: wait until the colo has applied it.")
        String token;

        @Override
        public Integer call() {
            String base = target.readerUrl(colo);
            return target.print(ApiClient.send(withToken(ApiClient.request(base, "/tenants/" + tenantId).GET(), token)));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deregister a tenant (a tombstone on the topic).")
    static final class Delete implements Callable<Integer> {
        @Mixin
        Target target;
        @Parameters(index = "0", description = "Tenant id.")
        String tenantId;
        @Option(names = "--if-match", description = "Only if the tenant is at this version.")
        Long ifMatch;
        @Option(names = "--token", description = "Consistency token of earlier writes: the answer's token covers them and this one.")
        String token;

        @Override
        public Integer call() {
            HttpRequest.Builder req = target.authorized(withToken(ApiClient.request(target.writerUrl, "/tenants/" + tenantId).DELETE(), token),
                    BearerAuth.Role.WRITER);
            if (ifMatch != null) {
                req.header(Header.IF_MATCH, ApiHeaders.etag(ifMatch));
            }
            return target.print(ApiClient.send(req));
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Bulk-register tenants from an NDJSON file (one {\"tenantId\":…,\"metadata\":{…}} per line).")
    static final class Import implements Callable<Integer> {
        @Mixin
        Target target;
        @Parameters(index = "0", description = "NDJSON file.")
        Path file;
        @Option(names = "--chunk-lines", defaultValue = "20000", description = "Lines per request (default 20000).")
        int chunkLines;
        @Option(names = "--token", description = "Consistency token of earlier writes: the printed token covers them and every line.")
        String token;

        @Override
        public Integer call() throws IOException {
            long totalBytes = Math.max(1, Files.size(file));
            long sentBytes = 0;
            long written = 0;
            long failed = 0;
            Progress progress = new Progress("import", totalBytes, target.json);
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                StringBuilder chunk = new StringBuilder();
                int lines = 0;
                String line;
                while (true) {
                    line = reader.readLine();
                    if (line != null) {
                        chunk.append(line).append('\n');
                        lines++;
                    }
                    if ((line == null && lines > 0) || lines >= chunkLines) {
                        // Each chunk continues the session of the chunks before it, so the last token covers every line.
                        HttpResponse<String> r = ApiClient.send(target.authorized(withToken(ApiClient.request(target.writerUrl, "/tenants:import")
                                .header(Header.CONTENT_TYPE, "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofString(chunk.toString())), token), BearerAuth.Role.ADMIN));
                        // Anything but a report (a wrong URL's 404, a 413, a 415) stops the import with its error.
                        if (r.statusCode() != 200) {
                            progress.done();
                            return target.print(r);
                        }
                        ImportReport report = Json.readAnswer(r.body(), ImportReport.class);
                        written += report.written();
                        failed += report.failed();
                        report.errors().forEach(e -> System.err.println("  line " + e.line()
                                + " (of this chunk): " + e.error() + " " + e.message()));
                        if (report.token() != null) {
                            token = report.token();
                        }
                        sentBytes += chunk.toString().getBytes(StandardCharsets.UTF_8).length;
                        progress.update(sentBytes, written);
                        chunk.setLength(0);
                        lines = 0;
                    }
                    if (line == null) {
                        break;
                    }
                }
            }
            progress.done();
            ObjectNode summary = Json.MAPPER.createObjectNode().put("written", written).put("failed", failed).put("token", token);
            System.out.println(target.json ? summary.toString() : "written " + written + ", failed " + failed + ", token " + token);
            return failed == 0 ? 0 : TenantIndexCli.REJECTED;
        }
    }

    @Command(name = "usage", mixinStandardHelpOptions = true,
            description = "A tenant's lookups per minute or hour from the usage-log-sink, or its raw events (--events).")
    static final class Usage implements Callable<Integer> {
        @Mixin
        Target target;
        @Parameters(index = "0", description = "Tenant id.")
        String tenantId;
        @Option(names = "--granularity", defaultValue = "minute", description = "minute or hour (default minute).")
        String granularity;
        @Option(names = "--events", description = "Raw events instead of aggregates (newest last, paginated).")
        boolean events;
        @Option(names = "--limit", defaultValue = "100", description = "Events per page with --events (≤ 1000).")
        int limit;
        @Option(names = "--cursor", description = "Continue after this cursor (nextCursor of the previous page).")
        String cursor;

        @Override
        public Integer call() {
            String path = events
                    ? "/usage/" + tenantId + "/events?limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor)
                    : "/usage/" + tenantId + "?granularity=" + granularity;
            return target.print(ApiClient.send(ApiClient.request(target.sinkUrl, path).GET()));
        }
    }
}
