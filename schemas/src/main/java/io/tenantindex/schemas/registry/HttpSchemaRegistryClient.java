package io.tenantindex.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantindex.common.DaemonThreads;
import io.tenantindex.common.Json;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent Schema Registry REST client, ours because Confluent's Java client is not on Maven
 * Central. It speaks only the documented API with {@code application/vnd.schemaregistry.v1+json},
 * so it works against Confluent, Apicurio's ccompat API, Karapace and our embedded registry.
 *
 * <p>The serde path ({@link #register}, {@link #lookupId}, {@link #getById}) is cached in both
 * directions: after the first call for a schema or id, serializing and deserializing make no request.
 * The admin calls (versions, latest, compatibility, config) always ask the registry, since what they
 * read can change. Requests are retried with exponential backoff and jitter on connection errors,
 * 5xx, 408 and 429, a bounded number of times; other errors are definitive and surface at once as
 * {@link SchemaRegistryException}. Ids are taken as opaque ints: never assumed small or sequential.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = CONTENT_TYPE + ", application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";
    private static final Logger LOG = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);

    private final RegistryClientConfig config;
    /**
     * Built on a thread of its own: building an {@code HttpClient} initialises the JVM's default TLS
     * context (its trust store) even for http URLs, about half a second of a colo's start on 2 cores,
     * which the start need not wait for.
     */
    private final CompletableFuture<HttpClient> http;
    private final String authorization;
    /** Index into the configured URLs; moves on after a connection failure (failover between registry nodes). */
    private final AtomicInteger currentUrl = new AtomicInteger();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, NotRegistered>> notRegistered = new ConcurrentHashMap<>();
    /** How long "this schema is not registered under this subject" is believed without asking again. */
    static final Duration NOT_REGISTERED_TTL = Duration.ofSeconds(10);

    public HttpSchemaRegistryClient(String baseUrl) {
        this(RegistryClientConfig.of(baseUrl));
    }

    public HttpSchemaRegistryClient(RegistryClientConfig config) {
        this.config = config;
        this.authorization = config.authorizationHeader();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(config.connectTimeout());
        if (config.urls().stream().anyMatch(u -> u.startsWith("https://"))) {
            builder.sslContext(config.sslContext());
        }
        this.http = CompletableFuture.supplyAsync(builder::build,
                body -> DaemonThreads.newThread("schema-registry-client-build", body).start());
    }

    public RegistryClientConfig config() {
        return config;
    }

    @Override
    public int register(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("POST", "/subjects/" + segment(subject) + "/versions", schemaBody(schema));
        return remember(subject, schema, requireId(reply, "register under " + subject));
    }

    @Override
    public int lookupId(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        // A schema that is not registered (auto-registration off) would otherwise cost one failing
        // request per record serialized; remember the answer for a short while.
        Map<Schema, NotRegistered> misses = notRegistered.get(subject);
        NotRegistered miss = misses == null ? null : misses.get(schema);
        if (miss != null && System.nanoTime() - miss.atNanos < NOT_REGISTERED_TTL.toNanos()) {
            throw miss.error;
        }
        try {
            return lookup(subject, schema).id();
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND || e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                notRegistered.computeIfAbsent(subject, k -> new ConcurrentHashMap<>()).put(schema, new NotRegistered(e, System.nanoTime()));
            }
            throw e;
        }
    }

    private record NotRegistered(SchemaRegistryException error, long atNanos) {
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("GET", "/schemas/ids/" + id, null);
        String type = reply.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw unusable("schema id " + id + " is a " + type + " schema, not Avro");
        }
        Schema schema = parse(reply, "schema id " + id);
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    /** {@code POST /subjects/{subject}}: the version and id under which {@code schema} is registered (404 if it is not). */
    public RegisteredSchema lookup(String subject, Schema schema) {
        RegisteredSchema found = registered(send("POST", "/subjects/" + segment(subject), schemaBody(schema)), subject);
        remember(subject, schema, found.id());
        return found;
    }

    /** {@code GET /subjects}. */
    public List<String> subjects() {
        List<String> out = new ArrayList<>();
        send("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
        return out;
    }

    /** {@code GET /subjects/{subject}/versions}: version numbers, oldest first. */
    public List<Integer> versions(String subject) {
        List<Integer> out = new ArrayList<>();
        send("GET", "/subjects/" + segment(subject) + "/versions", null).forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** {@code GET /subjects/{subject}/versions/{version}}. */
    public RegisteredSchema version(String subject, int version) {
        return registered(send("GET", "/subjects/" + segment(subject) + "/versions/" + version, null), subject);
    }

    /** {@code GET /subjects/{subject}/versions/latest}. */
    @Override
    public RegisteredSchema latest(String subject) {
        return registered(send("GET", "/subjects/" + segment(subject) + "/versions/latest", null), subject);
    }

    /** {@code POST /compatibility/subjects/{subject}/versions/latest}: may {@code schema} be registered next? */
    public boolean isCompatible(String subject, Schema schema) {
        JsonNode reply = send("POST", "/compatibility/subjects/" + segment(subject) + "/versions/latest", schemaBody(schema));
        if (!reply.path("is_compatible").isBoolean()) {
            throw unusable("compatibility answer for " + subject + " has no is_compatible: " + reply);
        }
        return reply.path("is_compatible").asBoolean();
    }

    /** The compatibility level of {@code subject} (falling back to the global one), or the global level for null. */
    public CompatibilityLevel compatibility(String subject) {
        String path = subject == null ? "/config" : "/config/" + segment(subject) + "?defaultToGlobal=true";
        return level(send("GET", path, null));
    }

    /** {@code PUT /config[/{subject}]}; returns the level the registry now applies. */
    public CompatibilityLevel setCompatibility(String subject, CompatibilityLevel level) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("compatibility", level.name());
        return level(send("PUT", subject == null ? "/config" : "/config/" + segment(subject), body));
    }

    private Integer cachedId(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.get(subject);
        return ids == null ? null : ids.get(schema);
    }

    private int remember(String subject, Schema schema, int id) {
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).putIfAbsent(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** Confluent answers {@code compatibilityLevel} on GET and {@code compatibility} on PUT; other registries mix them. */
    private static CompatibilityLevel level(JsonNode reply) {
        String value = reply.path("compatibilityLevel").asText(reply.path("compatibility").asText(""));
        try {
            return CompatibilityLevel.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw unusable("registry answered an unknown compatibility level: " + reply);
        }
    }

    private RegisteredSchema registered(JsonNode reply, String subject) {
        return new RegisteredSchema(reply.path("subject").asText(subject), reply.path("version").asInt(),
                requireId(reply, "version of " + subject), parse(reply, "subject " + subject));
    }

    private static int requireId(JsonNode reply, String what) {
        if (!reply.path("id").canConvertToInt()) {
            throw unusable("registry answer to " + what + " has no usable id: " + reply);
        }
        return reply.path("id").intValue();
    }

    /** The full schema of an answer; its references (types defined in other subjects) are fetched and resolved. */
    private Schema parse(JsonNode reply, String what) {
        if (!reply.path("schema").isTextual()) {
            throw unusable("registry answer for " + what + " has no schema: " + reply);
        }
        try {
            return SchemaReferences.parse(reply.path("schema").asText(), SchemaReferences.fromJson(reply.path("references")),
                    (subject, version) -> {
                        JsonNode referenced = send("GET", "/subjects/" + segment(subject) + "/versions/" + version, null);
                        return Optional.of(new SchemaReferences.Source(referenced.path("schema").asText(),
                                SchemaReferences.fromJson(referenced.path("references"))));
                    }).schema();
        } catch (SchemaParseException | IllegalArgumentException e) {
            throw unusable("registry returned an unparseable schema for " + what + ": " + e.getMessage());
        }
    }

    /**
     * The registry answered 2xx, but not with something we can use: definitive, not retriable
     * (status 0 is reserved for "no answer at all").
     */
    private static SchemaRegistryException unusable(String message) {
        return new SchemaRegistryException(200, 0, message);
    }

    private static ObjectNode schemaBody(Schema schema) {
        return Json.MAPPER.createObjectNode().put("schema", schema.toString());
    }

    private JsonNode send(String method, String path, JsonNode body) {
        for (int attempt = 1; ; attempt++) {
            String base = config.urls().get(Math.floorMod(currentUrl.get(), config.urls().size()));
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(config.requestTimeout())
                    .header("Accept", ACCEPT)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body.toString()));
            if (body != null) {
                req.header("Content-Type", CONTENT_TYPE);
            }
            if (authorization != null) {
                req.header("Authorization", authorization);
            }
            SchemaRegistryException failure;
            try {
                HttpResponse<String> response = http.join().send(req.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    return json(response, method, path);
                }
                failure = error(response, method, path);
            } catch (IOException e) {
                // Connection refused, reset or timed out: try the next registry URL, if there is one.
                currentUrl.incrementAndGet();
                failure = new SchemaRegistryException("schema registry at " + base + " unreachable (" + method + " " + path
                        + "): " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted calling the schema registry", e);
            }
            if (!failure.retriable() || attempt >= config.maxAttempts()) {
                throw failure;
            }
            long delay = backoffMillis(attempt);
            LOG.warn("schema registry {} {} failed (attempt {} of {}), retrying in {} ms: {}",
                    method, path, attempt, config.maxAttempts(), delay, failure.getMessage());
            sleep(delay);
        }
    }

    /** Exponential backoff with "equal jitter": between half and all of min(max, base * 2^(attempt-1)). */
    private long backoffMillis(int attempt) {
        long base = config.retryBackoff().toMillis();
        long ceiling = Math.min(config.retryBackoffMax().toMillis(), base << Math.min(attempt - 1, 20));
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while backing off from the schema registry", e);
        }
    }

    private static JsonNode json(HttpResponse<String> response, String method, String path) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException(response.statusCode(), 0,
                    "schema registry answered " + method + " " + path + " with a body that is not JSON");
        }
    }

    private static SchemaRegistryException error(HttpResponse<String> response, String method, String path) {
        int status = response.statusCode();
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            // A proxy's HTML error page, say: keep the status, quote the start of the body.
            String text = response.body() == null ? "" : response.body();
            return new SchemaRegistryException(status, status, "schema registry " + method + " " + path + ": "
                    + text.substring(0, Math.min(200, text.length())).strip());
        }
        return new SchemaRegistryException(status, json == null ? status : json.path("error_code").asInt(status),
                "schema registry " + method + " " + path + ": " + (json == null ? "" : json.path("message").asText("error")));
    }

    /** One URL path segment: {@link URLEncoder} is for forms, so its '+' for a space is turned back into %20. */
    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
