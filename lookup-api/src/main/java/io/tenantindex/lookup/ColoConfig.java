package io.tenantindex.lookup;

import io.tenantindex.colo.MaterializerConfig;
import io.tenantindex.common.ShutdownBudget;
import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.feed.FeedConfig;
import io.tenantindex.common.http.BearerAuth;
import io.tenantindex.schemas.registry.RegistryClientConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/**
 * A colo process's whole configuration (materializer + HTTP + read-your-writes waits), parsed once
 * from {@link Settings} (flags, then {@code TENANT_INDEX_*} env) and immutable.
 *
 * @param registry                 how to reach the schema registry (URLs, auth, TLS, retries)
 * @param readWait                 how long a tokened lookup waits by default
 * @param readMaxWait              upper bound of {@code ?wait=}
 * @param httpThreads              the HTTP server's thread pool size: lookups never block, so a few
 *                                 threads per core serve any number of connections, and more only
 *                                 add lock-holder preemption on the store and the usage queue
 * @param serveStaleWhileRestoring answer lookups before the replica caught up, marking them stale
 * @param fallbackUrl              the writer, asked for lookups the colo cannot answer yet; empty: answer 503
 * @param fallbackTimeout          how long such a forwarded lookup may take
 * @param auth                     the admin token that rebuilds need (lookups need none)
 * @param shutdownTimeout          how long the whole stop may take (HTTP, usage flush, Streams)
 * @param feed                     how {@code GET /changes} is served
 */
public record ColoConfig(
        MaterializerConfig materializer,
        RegistryClientConfig registry,
        String httpHost,
        int httpPort,
        int httpThreads,
        Duration readWait,
        Duration readMaxWait,
        boolean serveStaleWhileRestoring,
        Optional<URI> fallbackUrl,
        Duration fallbackTimeout,
        BearerAuth auth,
        Duration shutdownTimeout,
        FeedConfig feed) {

    public static final int DEFAULT_HTTP_PORT = 8081;

    public ColoConfig {
        if (readWait.compareTo(readMaxWait) > 0) {
            throw new ConfigException(ConfigKeys.READ_WAIT_MS + " (" + readWait.toMillis() + ") must not exceed "
                    + ConfigKeys.READ_MAX_WAIT_MS + " (" + readMaxWait.toMillis() + ")");
        }
    }

    public static ColoConfig from(Settings s) {
        return new ColoConfig(
                MaterializerConfig.from(s),
                RegistryClientConfig.from(s),
                s.string(ConfigKeys.HTTP_HOST, "0.0.0.0"),
                s.intValue(ConfigKeys.HTTP_PORT, DEFAULT_HTTP_PORT, 0, 65_535),
                s.intValue(ConfigKeys.HTTP_THREADS, Math.max(8, 4 * Runtime.getRuntime().availableProcessors()), 4, 10_000),
                Duration.ofMillis(s.longValue(ConfigKeys.READ_WAIT_MS, 1000, 0, 600_000)),
                Duration.ofMillis(s.longValue(ConfigKeys.READ_MAX_WAIT_MS, 10_000, 0, 600_000)),
                s.bool(ConfigKeys.SERVE_STALE_WHILE_RESTORING, false),
                s.has(ConfigKeys.LOOKUP_FALLBACK_URL) ? Optional.of(httpUrl(s.required(ConfigKeys.LOOKUP_FALLBACK_URL))) : Optional.empty(),
                Duration.ofMillis(s.longValue(ConfigKeys.LOOKUP_FALLBACK_TIMEOUT_MS, 1000, 1, 60_000)),
                BearerAuth.from(s),
                ShutdownBudget.from(s),
                FeedConfig.from(s));
    }

    private static URI httpUrl(String raw) {
        try {
            URI uri = new URI(raw.trim());
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Reported below with the key's name.
        }
        throw new ConfigException(ConfigKeys.LOOKUP_FALLBACK_URL + " must be an http(s) URL such as http://writer:8080, got '" + raw + "'");
    }

    public String colo() {
        return materializer.colo();
    }
}
