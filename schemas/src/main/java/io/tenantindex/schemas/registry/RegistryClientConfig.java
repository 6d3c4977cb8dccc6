package io.tenantindex.schemas.registry;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How to reach a Confluent-compatible schema registry (Confluent, Apicurio ccompat, Karapace or the
 * embedded one): immutable, parsed once from {@link Settings} so a bad value fails at start and names
 * its key. {@link #toString()} never prints a secret.
 *
 * @param urls          one or more base URLs; after a connection failure the client moves on to the next
 * @param autoRegister  whether serializers register their schema on first use (local stack) or only
 *                      look it up (production default: changing a schema is a deliberate step)
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or null
 * @param bearerToken   a bearer token, or null (at most one of the two)
 * @param tls           trust/key stores for https, or null for the JVM's default trust
 */
public record RegistryClientConfig(
        List<String> urls,
        boolean autoRegister,
        String basicAuthUserInfo,
        String bearerToken,
        Tls tls,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxAttempts,
        Duration retryBackoff,
        Duration retryBackoffMax) {

    /** Where the local stack runs its embedded registry. */
    public static final String DEFAULT_URL = "http://127.0.0.1:8085";

    /** Trust store (server certificates to trust) and optional key store (client certificate, mutual TLS). */
    public record Tls(Path truststore, String truststorePassword, String truststoreType,
                      Path keystore, String keystorePassword, String keystoreType, String keyPassword) {
        @Override
        public String toString() {
            return "Tls[truststore=" + truststore + ", keystore=" + keystore + "]";
        }
    }

    public RegistryClientConfig {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new ConfigException("no schema registry URL given (" + ConfigKeys.REGISTRY_URL + ")");
        }
        for (String url : urls) {
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new ConfigException(ConfigKeys.REGISTRY_URL + " must be http:// or https:// URLs, got '" + url + "'");
            }
        }
        if (basicAuthUserInfo != null && bearerToken != null) {
            throw new ConfigException("set either " + ConfigKeys.REGISTRY_BASIC_AUTH_USER_INFO + " or " + ConfigKeys.REGISTRY_BEARER_TOKEN + ", not both");
        }
        if (basicAuthUserInfo != null && !basicAuthUserInfo.contains(":")) {
            throw new ConfigException(ConfigKeys.REGISTRY_BASIC_AUTH_USER_INFO + " must be 'user:password'");
        }
        if (maxAttempts < 1) {
            throw new ConfigException(ConfigKeys.REGISTRY_RETRY_MAX_ATTEMPTS + " must be at least 1");
        }
    }

    /** Defaults for {@code url}: no auth, default trust, 4 attempts with 100 ms → 2 s backoff, no auto-registration. */
    public static RegistryClientConfig of(String url) {
        return new RegistryClientConfig(splitUrls(url), false, null, null, null,
                Duration.ofSeconds(5), Duration.ofSeconds(10), 4, Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    public static RegistryClientConfig from(Settings s) {
        Tls tls = null;
        if (s.has(ConfigKeys.REGISTRY_TRUSTSTORE_LOCATION) || s.has(ConfigKeys.REGISTRY_KEYSTORE_LOCATION)) {
            tls = new Tls(
                    existingFile(s, ConfigKeys.REGISTRY_TRUSTSTORE_LOCATION), s.string(ConfigKeys.REGISTRY_TRUSTSTORE_PASSWORD, null),
                    s.string(ConfigKeys.REGISTRY_TRUSTSTORE_TYPE, "PKCS12"),
                    existingFile(s, ConfigKeys.REGISTRY_KEYSTORE_LOCATION), s.string(ConfigKeys.REGISTRY_KEYSTORE_PASSWORD, null),
                    s.string(ConfigKeys.REGISTRY_KEYSTORE_TYPE, "PKCS12"), s.string(ConfigKeys.REGISTRY_KEY_PASSWORD, null));
        }
        return new RegistryClientConfig(
                splitUrls(s.string(ConfigKeys.REGISTRY_URL, DEFAULT_URL)),
                s.bool(ConfigKeys.REGISTRY_AUTO_REGISTER, false),
                s.string(ConfigKeys.REGISTRY_BASIC_AUTH_USER_INFO, null),
                s.string(ConfigKeys.REGISTRY_BEARER_TOKEN, null),
                tls,
                Duration.ofMillis(s.longValue(ConfigKeys.REGISTRY_CONNECT_TIMEOUT_MS, 5_000, 1, 600_000)),
                Duration.ofMillis(s.longValue(ConfigKeys.REGISTRY_REQUEST_TIMEOUT_MS, 10_000, 1, 600_000)),
                s.intValue(ConfigKeys.REGISTRY_RETRY_MAX_ATTEMPTS, 4, 1, 100),
                Duration.ofMillis(s.longValue(ConfigKeys.REGISTRY_RETRY_BACKOFF_MS, 100, 0, 600_000)),
                Duration.ofMillis(s.longValue(ConfigKeys.REGISTRY_RETRY_BACKOFF_MAX_MS, 2_000, 0, 600_000)));
    }

    public RegistryClientConfig withAutoRegister(boolean on) {
        return new RegistryClientConfig(urls, on, basicAuthUserInfo, bearerToken, tls, connectTimeout, requestTimeout,
                maxAttempts, retryBackoff, retryBackoffMax);
    }

    public RegistryClientConfig withBasicAuth(String userInfo) {
        return new RegistryClientConfig(urls, autoRegister, userInfo, null, tls, connectTimeout, requestTimeout,
                maxAttempts, retryBackoff, retryBackoffMax);
    }

    public RegistryClientConfig withBearerToken(String token) {
        return new RegistryClientConfig(urls, autoRegister, null, token, tls, connectTimeout, requestTimeout,
                maxAttempts, retryBackoff, retryBackoffMax);
    }

    public RegistryClientConfig withRetries(int attempts, Duration backoff, Duration backoffMax) {
        return new RegistryClientConfig(urls, autoRegister, basicAuthUserInfo, bearerToken, tls, connectTimeout,
                requestTimeout, attempts, backoff, backoffMax);
    }

    public RegistryClientConfig withTls(Tls newTls) {
        return new RegistryClientConfig(urls, autoRegister, basicAuthUserInfo, bearerToken, newTls, connectTimeout,
                requestTimeout, maxAttempts, retryBackoff, retryBackoffMax);
    }

    /** The TLS context for https registries: the configured stores, else the JVM's default trust. */
    public SSLContext sslContext() {
        try {
            if (tls == null) {
                return SSLContext.getDefault();
            }
            TrustManagerFactory tmf = null;
            if (tls.truststore() != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(tls.truststore(), tls.truststoreType(), tls.truststorePassword(), ConfigKeys.REGISTRY_TRUSTSTORE_LOCATION));
            }
            KeyManagerFactory kmf = null;
            if (tls.keystore() != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String keyPassword = tls.keyPassword() != null ? tls.keyPassword() : tls.keystorePassword();
                kmf.init(load(tls.keystore(), tls.keystoreType(), tls.keystorePassword(), ConfigKeys.REGISTRY_KEYSTORE_LOCATION),
                        keyPassword == null ? new char[0] : keyPassword.toCharArray());
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("cannot set up TLS for the schema registry: " + e.getMessage());
        }
    }

    /** The {@code Authorization} header value, or null without credentials. */
    String authorizationHeader() {
        if (basicAuthUserInfo != null) {
            return "Basic " + Base64.getEncoder().encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
        }
        return bearerToken == null ? null : "Bearer " + bearerToken;
    }

    @Override
    public String toString() {
        return "RegistryClientConfig[urls=" + urls + ", autoRegister=" + autoRegister
                + ", auth=" + (basicAuthUserInfo != null ? "basic" : bearerToken != null ? "bearer" : "none")
                + ", tls=" + tls + ", maxAttempts=" + maxAttempts + "]";
    }

    private static List<String> splitUrls(String value) {
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(u -> !u.isEmpty())
                .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
                .peek(u -> {
                    try {
                        URI.create(u);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(ConfigKeys.REGISTRY_URL + " has a malformed URL '" + u + "': " + e.getMessage());
                    }
                })
                .toList();
    }

    private static Path existingFile(Settings s, String key) {
        if (!s.has(key)) {
            return null;
        }
        Path p = s.path(key, null);
        if (!Files.isReadable(p)) {
            throw new ConfigException(key + " points at '" + p + "', which is not a readable file");
        }
        return p;
    }

    private static KeyStore load(Path file, String type, String password, String key) throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(type.toUpperCase(Locale.ROOT));
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password == null ? null : password.toCharArray());
        } catch (IOException e) {
            throw new ConfigException("cannot read " + key + " '" + file + "': " + e.getMessage());
        }
        return ks;
    }
}
