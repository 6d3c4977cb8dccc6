package io.tenantindex.lookup;

import io.tenantindex.common.Json;
import io.tenantindex.protocol.TenantEntry;
import io.tenantindex.protocol.TenantIndexException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the writer (the primary) for a tenant the colo cannot answer yet: while it restores, or while
 * a partition is not served here. The writer's {@code GET /tenants/{id}} is authoritative (every
 * acknowledged write), so its answer also satisfies any consistency token. Bounded by a timeout;
 * whatever is not a 200 or 404 from the writer (unreachable, slow, not ready itself) leaves the
 * colo's own 503.
 */
final class PrimaryFallback {
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryFallback.class);

    private final URI tenants;
    private final Duration timeout;
    private final HttpClient http;

    PrimaryFallback(URI writer, Duration timeout) {
        this.tenants = URI.create(writer.toString().replaceAll("/+$", "") + "/tenants/");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /**
     * The writer's entry (empty: the writer does not know the tenant), or {@code notReady}, the colo's
     * own answer, when the writer does not answer either. {@code tenantId} is a valid id, safe in a path.
     */
    CompletableFuture<Optional<TenantEntry>> lookup(String tenantId, TenantIndexException notReady) {
        HttpRequest request = HttpRequest.newBuilder(tenants.resolve(tenantId)).timeout(timeout)
                .header("Accept", "application/json").GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error == null && response.statusCode() == 200) {
                try {
                    return Optional.of(Json.MAPPER.readValue(response.body(), TenantEntry.class));
                } catch (IOException e) {
                    LOG.warn("lookup fallback: unreadable answer of {} for {}: {}", tenants, tenantId, e.toString());
                    throw notReady;
                }
            }
            if (error == null && response.statusCode() == 404) {
                return Optional.empty();
            }
            LOG.debug("lookup fallback to {} failed for {}: {}", tenants, tenantId,
                    error != null ? error.toString() : "HTTP " + response.statusCode());
            throw notReady;
        });
    }
}
