package io.tenantindex.launcher;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Header;
import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.common.Json;
import io.tenantindex.common.api.ApiHeaders;
import io.tenantindex.common.api.DigestReport;
import io.tenantindex.common.api.ImportReport;
import io.tenantindex.common.api.RebuildStatus;
import io.tenantindex.common.api.TenantEntry;
import io.tenantindex.common.api.TenantPage;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.http.BearerAuth;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The CLI subcommands that talk to a running stack over its HTTP APIs. */
final class ClientCommands {
    private ClientCommands() {
    }

    /** Where the stack is and how to print; shared by every client command. */
    static final class Target {
        /** The CLI's settings come from TENANT_INDEX_* variables as every service's do; the flags below win. */
        private final Settings settings = Settings.fromEnvironment(System.getenv());

        @Option(names = "--writer-url", description = "index-writer URL (env TENANT_INDEX_WRITER_URL, default ${DEFAULT-VALUE}).")
        String writerUrl = setting(ConfigKeys.WRITER_URL);
        @Option(names = "--colos", description = "Colo lookup URLs by port on --colo-host (env TENANT_INDEX_COLOS, default ${DEFAULT-VALUE}).")
        String colos = setting(ConfigKeys.COLOS);
        @Option(names = "--colo-host", description = "Host of the colos (env TENANT_INDEX_COLO_HOST, default ${DEFAULT-VALUE}).")
        String coloHost = setting(ConfigKeys.COLO_HOST);
        @Option(names = "--sink-url", description = "usage-log-sink URL (env TENANT_INDEX_SINK_URL, default ${DEFAULT-VALUE}).")
        String sinkUrl = setting(ConfigKeys.SINK_URL);
        @Option(names = "--json", description = "Print the raw JSON answer.")
        boolean json;
        @Option(names = "--auth-token", description = "Bearer token for writes/admin operations (default: TENANT_INDEX_WRITER_TOKEN or "
                + "TENANT_INDEX_ADMIN_TOKEN, else the local stack's <data-dir>/credentials/*.token).")
        String authToken;

        private String setting(String key) {
            return settings.string(key, ConfigKeys.defaultOf(key));
        }

        /** Adds the bearer token of {@code role} when one is known; the server says 401 otherwise. */
        HttpRequest.Builder authorized(HttpRequest.Builder request, BearerAuth.Role role) {
            String key = role == BearerAuth.Role.ADMIN ? ConfigKeys.ADMIN_TOKEN : ConfigKeys.WRITER_TOKEN;
            String file = role == BearerAuth.Role.ADMIN ? Credentials.ADMIN_FILE : Credentials.WRITER_FILE;
            Optional<String> known = Optional.ofNullable(authToken).or(() -> Optional.ofNullable(settings.string(key, null)))
                    .or(() -> Credentials.read(Credentials.directory(Path.of(setting(ConfigKeys.DATA_DIR))).resolve(file)));
            known.ifPresent(t -> request.header(Header.AUTHORIZATION, "Bearer " + t));
            return request;
        }

        Map<String, Integer> coloPorts() {
            return LocalStackConfig.parseColos(colos);
        }

        String coloUrl(String colo) {
            Integer port = coloPorts().get(colo.toUpperCase(Locale.ROOT));
            if (port == null) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "unknown colo " + colo + "; known: " + coloPorts().keySet());
            }
            return "http://" + coloHost + ":" + port;
        }

        /** Prints the answer (pretty, or raw with --json) and returns the exit code. */
        int print(HttpResponse<String> r) {
            String body = r.body();
            if (!json && !body.isBlank()) {
                try {
                    body = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Json.MAPPER.readTree(body));
                } catch (IOException e) {
                    // Not JSON: print as it came.
                }
            }
            if (!json) {
                System.out.println("HTTP " + r.statusCode()
                        + r.headers().firstValue(ApiHeaders.CONSISTENCY_TOKEN).map(t -> "  token " + t).orElse("")
                        + r.headers().firstValue(ApiHeaders.COLO).map(c -> "  colo " + c).orElse(""));
            }
            if (!body.isBlank()) {
                (ApiClient.exitCode(r) == 0 ? System.out : System.err).println(body);
            }
            return ApiClient.exitCode(r);
        }
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

        @Override
        public Integer call() {
            ObjectNode body = Json.MAPPER.createObjectNode();
            if (coloHint != null) {
                body.put("coloHint", coloHint);
            }
            ObjectNode meta = body.putObject("metadata").put("tier", tier);
            ArrayNode f = meta.putArray("features");
            features.forEach(f::add);
            if (maxConnections != null) {
                meta.put("maxConnections", maxConnections);
            }
            if (region != null) {
                meta.put("region", region);
            }
            HttpRequest.Builder req = target.authorized(ApiClient.request(target.writerUrl, "/tenants/" + tenantId)
                    .header(Header.CONTENT_TYPE, "application/json").PUT(HttpRequest.BodyPublishers.ofString(body.toString())),
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
            String base = "writer".equalsIgnoreCase(colo) ? target.writerUrl : target.coloUrl(colo);
            HttpRequest.Builder req = ApiClient.request(base, "/tenants/" + tenantId).GET();
            if (token != null) {
                req.header(ApiHeaders.CONSISTENCY_TOKEN, token);
            }
            return target.print(ApiClient.send(req));
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

        @Override
        public Integer call() {
            HttpRequest.Builder req = target.authorized(ApiClient.request(target.writerUrl, "/tenants/" + tenantId).DELETE(),
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

        @Override
        public Integer call() throws IOException {
            long totalBytes = Math.max(1, Files.size(file));
            long sentBytes = 0;
            long written = 0;
            long failed = 0;
            String token = null;
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
                        HttpResponse<String> r = ApiClient.send(target.authorized(ApiClient.request(target.writerUrl, "/tenants:import")
                                .header(Header.CONTENT_TYPE, "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofString(chunk.toString())), BearerAuth.Role.ADMIN));
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

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Compare every colo's digest with the writer's; where a partition differs, page through both in key order "
                    + "and name every tenant that differs (missing in the colo, extra in the colo, other version). Exit 3 if any differs.")
    static final class Verify implements Callable<Integer> {
        /** Differing tenants printed per colo; the count is always complete. */
        static final int SHOWN = 100;

        @Mixin
        Target target;
        @Spec
        CommandSpec spec;
        @Option(names = "--page-size", defaultValue = "1000", description = "Tenants per page when diffing (1–1000, default 1000).")
        int pageSize;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            HttpResponse<String> w = ApiClient.send(ApiClient.request(target.writerUrl, "/digest").GET());
            if (w.statusCode() != 200) {
                return target.print(w);
            }
            DigestReport writer = Json.readAnswer(w.body(), DigestReport.class);
            int partitions = writer.partitions().size();
            boolean anyDiffers = false;
            boolean anyUnavailable = false;
            for (String colo : target.coloPorts().keySet()) {
                String coloUrl = target.coloUrl(colo);
                HttpResponse<String> r = ApiClient.send(ApiClient.request(coloUrl, "/digest").GET());
                if (r.statusCode() != 200) {
                    anyUnavailable = true;
                    out.printf("%-4s UNAVAILABLE  HTTP %d %s%n", colo, r.statusCode(), r.body());
                    continue;
                }
                DigestReport digest = Json.readAnswer(r.body(), DigestReport.class);
                Partitions compared = Partitions.compare(writer, digest);
                SortedSet<Integer> differing = compared.differing();
                SortedSet<Integer> behind = compared.behind();
                Diff diff = differing.isEmpty() ? new Diff(SHOWN)
                        : Diff.of(pages(target.writerUrl, differing, partitions), pages(coloUrl, differing, partitions), SHOWN);
                boolean equal = differing.isEmpty();
                anyDiffers |= !equal;
                if (target.json) {
                    ObjectNode line = Json.MAPPER.createObjectNode().put("colo", colo).put("inSync", equal)
                            .put("entries", digest.entries()).put("writerEntries", writer.entries());
                    differing.forEach(line.putArray("partitions")::add);
                    behind.forEach(line.putArray("behindWriter")::add);
                    line.put("differingTenants", diff.count);
                    ArrayNode tenants = line.putArray("tenants");
                    diff.shown.forEach(t -> tenants.addObject().put("tenantId", t.tenantId()).put("kind", t.kind().label)
                            .put("writerVersion", t.writerVersion()).put("coloVersion", t.coloVersion()));
                    out.println(line);
                    continue;
                }
                out.printf("%-4s %s  entries %d/%d%s%s%n", colo, equal ? "in sync" : "DIFFERS", digest.entries(), writer.entries(),
                        equal ? "" : "  partitions " + differing + ", " + diff.count + " tenant(s)",
                        behind.isEmpty() ? "" : "; still applying the writer's records on " + behind);
                for (Difference d : diff.shown) {
                    out.printf("  %-16s %s  (%s)%n", d.kind().label, d.tenantId(), switch (d.kind()) {
                        case MISSING_IN_COLO -> "writer v" + d.writerVersion();
                        case EXTRA_IN_COLO -> "colo v" + d.coloVersion();
                        case VERSION_DIFFERS -> "writer v" + d.writerVersion() + ", colo v" + d.coloVersion();
                    });
                }
                if (diff.count > diff.shown.size()) {
                    out.printf("  … and %d more (%d differing tenants in all)%n", diff.count - diff.shown.size(), diff.count);
                }
                if (!equal && diff.count == 0) {
                    // Hashes moved between the digest and the paging (writes in flight): run verify again.
                    out.println("  no differing tenant found on a second look: writes were probably in flight");
                }
            }
            out.flush();
            return anyDiffers ? TenantIndexCli.REJECTED : anyUnavailable ? TenantIndexCli.SERVER_ERROR : 0;
        }

        /** The partitions whose hashes differ, and those of them where the colo has not yet applied what the writer has. */
        record Partitions(SortedSet<Integer> differing, SortedSet<Integer> behind) {
            static Partitions compare(DigestReport writer, DigestReport colo) {
                SortedSet<Integer> differing = new TreeSet<>();
                SortedSet<Integer> behind = new TreeSet<>();
                Set<Integer> all = new TreeSet<>(writer.partitions().keySet());
                all.addAll(colo.partitions().keySet());
                for (int p : all) {
                    if (!Objects.equals(hash(writer, p), hash(colo, p))) {
                        differing.add(p);
                        // Both sides report the offset of the last record they applied there.
                        if (colo.position(p) < writer.position(p)) {
                            behind.add(p);
                        }
                    }
                }
                return new Partitions(differing, behind);
            }

            private static String hash(DigestReport report, int partition) {
                DigestReport.Partition p = report.partitions().get(partition);
                return p == null ? null : p.hash();
            }
        }

        /** (tenantId, version) of one side in key order, only for tenants of the given partitions; pages fetched lazily. */
        private Iterator<Versioned> pages(String base, Set<Integer> only, int partitions) {
            int limit = Math.max(1, Math.min(1000, pageSize));
            return new Iterator<>() {
                private final Deque<Versioned> buffered = new ArrayDeque<>();
                private String cursor;
                private boolean exhausted;

                @Override
                public boolean hasNext() {
                    while (buffered.isEmpty() && !exhausted) {
                        String query = "/tenants?limit=" + limit + (cursor == null ? "" : "&after=" + cursor);
                        HttpResponse<String> r = ApiClient.send(ApiClient.request(base, query).GET());
                        if (r.statusCode() != 200) {
                            throw new ApiClient.Unreachable(URI.create(base + query),
                                    new IOException("HTTP " + r.statusCode() + " while paging: " + r.body()));
                        }
                        TenantPage page;
                        try {
                            page = Json.readAnswer(r.body(), TenantPage.class);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        for (TenantEntry item : page.items()) {
                            if (only.contains(IndexPartitioner.partitionFor(item.tenantId(), partitions))) {
                                buffered.add(new Versioned(item.tenantId(), item.version()));
                            }
                        }
                        cursor = page.nextCursor();
                        exhausted = cursor == null;
                    }
                    return !buffered.isEmpty();
                }

                @Override
                public Versioned next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return buffered.poll();
                }
            };
        }

        record Versioned(String tenantId, long version) {
        }

        enum Kind {
            MISSING_IN_COLO("missing in colo"), EXTRA_IN_COLO("extra in colo"), VERSION_DIFFERS("version differs");

            final String label;

            Kind(String label) {
                this.label = label;
            }
        }

        /** One differing tenant; a version is null on the side that does not have the tenant. */
        record Difference(String tenantId, Kind kind, Long writerVersion, Long coloVersion) {
        }

        /** The differences of two key-ordered listings: the first {@code max} of them and how many there are. */
        static final class Diff {
            final int max;
            final List<Difference> shown = new ArrayList<>();
            long count;

            Diff(int max) {
                this.max = max;
            }

            static Diff of(Iterator<Versioned> writer, Iterator<Versioned> colo, int max) {
                Diff diff = new Diff(max);
                Versioned w = writer.hasNext() ? writer.next() : null;
                Versioned c = colo.hasNext() ? colo.next() : null;
                while (w != null || c != null) {
                    int cmp = w == null ? 1 : c == null ? -1 : w.tenantId().compareTo(c.tenantId());
                    if (cmp < 0) {
                        diff.add(new Difference(w.tenantId(), Kind.MISSING_IN_COLO, w.version(), null));
                    } else if (cmp > 0) {
                        diff.add(new Difference(c.tenantId(), Kind.EXTRA_IN_COLO, null, c.version()));
                    } else if (w.version() != c.version()) {
                        diff.add(new Difference(w.tenantId(), Kind.VERSION_DIFFERS, w.version(), c.version()));
                    }
                    if (cmp <= 0) {
                        w = writer.hasNext() ? writer.next() : null;
                    }
                    if (cmp >= 0) {
                        c = colo.hasNext() ? colo.next() : null;
                    }
                }
                return diff;
            }

            private void add(Difference d) {
                count++;
                if (shown.size() < max) {
                    shown.add(d);
                }
            }
        }
    }

    @Command(name = "rebuild", mixinStandardHelpOptions = true,
            description = "Rebuild a colo's replica from the topic while the current one keeps serving, then switch (blue/green).")
    static final class Rebuild implements Callable<Integer> {
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
