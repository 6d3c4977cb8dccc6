package io.tenantindex.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantindex.protocol.ApiHeaders;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantEntry;
import io.tenantindex.protocol.TenantIndexException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Lookups in the nearest colo that answers, and writes at the writer, over plain HTTP with
 * keep-alive (one {@link HttpClient}, whose connections are reused). A lookup tries the colos
 * nearest first and goes on to the next on a connection error, a timeout or a 5xx (503 NOT_READY
 * and NOT_UP_TO_BOUND included); a colo that failed is tried last for {@code downFor}.
 *
 * <p>The client is one session: every write sends the session's consistency token and keeps the
 * token of the answer, which the writer merges from both, and every lookup sends it, so a lookup
 * sees this client's writes in any colo. Writes are therefore sent one at a time; a caller that
 * wants parallel writes uses a client (a session) per thread. Thread-safe.
 */
public final class LookupClient {

    private final HttpClient http;
    private final Failover colos;
    private final URI writer;
    private final String bearerToken;
    private final Duration requestTimeout;
    private final ReentrantLock writes = new ReentrantLock();
    private volatile String session;

    private LookupClient(Builder b) {
        this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout)
                // A standby writer answers a write 307 to the active one; the redirect keeps method and body.
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.colos = new Failover(b.colos, b.downFor, b.nanoClock);
        this.writer = b.writer;
        this.bearerToken = b.bearerToken;
        this.requestTimeout = b.requestTimeout;
        this.session = b.sessionToken;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The tenant's entry from the nearest colo that answers; empty when it is not registered. With a
     * session token, the colo answers once it has applied every write of the session.
     *
     * @throws TenantIndexException UNAVAILABLE when no colo answered; the colo's error for a bad request
     */
    public Optional<TenantEntry> lookup(String tenantId) {
        List<String> failures = new ArrayList<>();
        for (URI colo : colos.order()) {
            HttpResponse<String> r;
            try {
                r = send(withSession(HttpRequest.newBuilder(tenantUri(colo, tenantId)).GET()));
            } catch (IOException e) {
                colos.failed(colo);
                failures.add(colo + ": " + e);
                continue;
            }
            if (r.statusCode() >= 500) {
                colos.failed(colo);
                failures.add(colo + ": " + r.statusCode() + " " + r.body());
                continue;
            }
            colos.answered(colo);
            if (r.statusCode() == 200) {
                return Optional.of(ClientJson.read(r.body(), TenantEntry.class));
            }
            TenantIndexException error = ClientJson.error(r.uri(), r.statusCode(), r.body(), r.headers());
            if (error.type() == ErrorType.TENANT_NOT_FOUND) {
                return Optional.empty();
            }
            throw error;
        }
        throw new TenantIndexException(ErrorType.UNAVAILABLE, "no colo answered the lookup of " + tenantId + ": " + failures);
    }

    /** Registers or updates the tenant at the writer; returns the entry as written. */
    public TenantEntry put(String tenantId, String coloHint, TenantEntry.Metadata metadata) {
        return put(tenantId, coloHint, metadata, null);
    }

    /** Like {@link #put(String, String, TenantEntry.Metadata)}, only if the tenant is at {@code ifVersion} (else PRECONDITION_FAILED). */
    public TenantEntry putIfVersion(String tenantId, String coloHint, TenantEntry.Metadata metadata, long ifVersion) {
        return put(tenantId, coloHint, metadata, ifVersion);
    }

    private TenantEntry put(String tenantId, String coloHint, TenantEntry.Metadata metadata, Long ifVersion) {
        ObjectNode body = ClientJson.MAPPER.createObjectNode();
        if (coloHint != null) {
            body.put("coloHint", coloHint);
        }
        body.set("metadata", ClientJson.MAPPER.valueToTree(Objects.requireNonNull(metadata, "metadata")));
        HttpRequest.Builder request = HttpRequest.newBuilder(writerUri(tenantId)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (ifVersion != null) {
            request.header("If-Match", "\"" + ifVersion + "\"");
        }
        return ClientJson.read(write(request).body(), TenantEntry.class);
    }

    /** Deregisters the tenant (a tombstone); a tenant that is not registered is TENANT_NOT_FOUND. */
    public void delete(String tenantId) {
        write(HttpRequest.newBuilder(writerUri(tenantId)).DELETE());
    }

    /** The session's token: the merged position of every write this client made; empty before the first. */
    public Optional<String> sessionToken() {
        return Optional.ofNullable(session);
    }

    private URI writerUri(String tenantId) {
        if (writer == null) {
            throw new IllegalStateException("this client has no writer URL");
        }
        return tenantUri(writer, tenantId);
    }

    private HttpResponse<String> write(HttpRequest.Builder request) {
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        writes.lock();
        try {
            HttpResponse<String> r;
            try {
                r = send(withSession(request));
            } catch (IOException e) {
                throw new TenantIndexException(ErrorType.UNAVAILABLE, "cannot reach the writer " + writer + ": " + e, e);
            }
            if (r.statusCode() / 100 != 2) {
                throw ClientJson.error(r.uri(), r.statusCode(), r.body(), r.headers());
            }
            r.headers().firstValue(ApiHeaders.CONSISTENCY_TOKEN).ifPresent(token -> session = token);
            return r;
        } finally {
            writes.unlock();
        }
    }

    private HttpRequest.Builder withSession(HttpRequest.Builder request) {
        String token = session;
        return token == null ? request : request.header(ApiHeaders.CONSISTENCY_TOKEN, token);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.timeout(requestTimeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static URI tenantUri(URI base, String tenantId) {
        // Valid ids need no escaping; an invalid one still reaches the server intact, which says why it is invalid.
        return URI.create(base.toString().replaceAll("/+$", "") + "/tenants/"
                + URLEncoder.encode(tenantId, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    /** How to reach the stack; only the colos are required (lookups), the writer only for writes. */
    public static final class Builder {
        private List<URI> colos = List.of();
        private URI writer;
        private String bearerToken;
        private String sessionToken;
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration requestTimeout = Duration.ofSeconds(2);
        private Duration downFor = Duration.ofSeconds(5);
        private LongSupplier nanoClock = System::nanoTime;

        private Builder() {
        }

        /** The colos' lookup URLs, nearest first, e.g. {@code http://127.0.0.1:8081}. */
        public Builder colos(List<String> urls) {
            this.colos = urls.stream().map(URI::create).toList();
            return this;
        }

        public Builder writer(String url) {
            this.writer = URI.create(url);
            return this;
        }

        /** The writer token writes need ({@code Authorization: Bearer}). */
        public Builder bearerToken(String token) {
            this.bearerToken = token;
            return this;
        }

        /** Continues a session another client (or process) started: its consistency token. */
        public Builder sessionToken(String token) {
            this.sessionToken = token;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * How long one request may take before the next colo is tried (default 2 s). A tokened lookup
         * waits in the colo for its session's writes, up to the colo's read wait: keep this above it.
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** How long a colo that failed is tried last (default 5 s). */
        public Builder downFor(Duration duration) {
            this.downFor = duration;
            return this;
        }

        Builder nanoClock(LongSupplier clock) {
            this.nanoClock = clock;
            return this;
        }

        public LookupClient build() {
            return new LookupClient(this);
        }
    }
}
