package io.tenantindex.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.tenantindex.common.Json;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicSpec;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small Confluent-compatible schema registry for the local stack and the tests: the REST subset
 * our serdes and Confluent's clients use, Confluent's error shape and codes, BACKWARD compatibility
 * by default, schemas kept in the compacted {@code _schemas} topic. Production deployments point
 * {@code registry.url} at Confluent Schema Registry, Apicurio (ccompat) or Karapace instead.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final String CONTENT_TYPE = HttpSchemaRegistryClient.CONTENT_TYPE;

    private final SchemaStore store = new SchemaStore();
    private final SchemaLog log;
    private final Javalin app;
    private final String host;

    private EmbeddedSchemaRegistry(KafkaSettings kafka, TopicSpec schemasTopic, String host, int port) {
        this.host = host;
        this.log = new SchemaLog(kafka, schemasTopic, store::apply);
        try {
            this.app = server().start(host, port);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        LOG.info("schema registry listening on {} (schemas in topic {})", url(), schemasTopic.name());
    }

    private Javalin server() {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.routes.post("/subjects/{subject}/versions", this::register);
            config.routes.post("/subjects/{subject}", this::lookup);
            config.routes.get("/subjects", ctx -> reply(ctx, Json.MAPPER.valueToTree(store.subjects())));
            config.routes.get("/subjects/{subject}/versions", this::listVersions);
            config.routes.get("/subjects/{subject}/versions/{version}", this::getVersion);
            config.routes.get("/schemas/ids/{id}", this::getById);
            config.routes.post("/compatibility/subjects/{subject}/versions/{version}", this::checkCompatibility);
            config.routes.get("/config", ctx -> reply(ctx, levelBody("compatibilityLevel", store.compatibility(null))));
            config.routes.put("/config", ctx -> putConfig(ctx, null));
            config.routes.get("/config/{subject}", this::getSubjectConfig);
            config.routes.put("/config/{subject}", ctx -> putConfig(ctx, ctx.pathParam("subject")));
            config.routes.exception(RegistryError.class, (e, ctx) -> error(ctx, e.status, e.code, e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("registry error on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, 500, 50001, "Error in the backend data store: " + e.getMessage());
            });
            // Unknown routes (Javalin's own plain-text 404) get Confluent's error shape too; our
            // RegistryError 404s already have it and are left alone.
            config.routes.error(404, ctx -> {
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith(CONTENT_TYPE)) {
                    error(ctx, 404, 404, "HTTP 404 Not Found: " + ctx.method() + " " + ctx.path());
                }
            });
        });
    }

    public static EmbeddedSchemaRegistry start(KafkaSettings kafka, TopicSpec schemasTopic, String host, int port) {
        return new EmbeddedSchemaRegistry(kafka, schemasTopic, host, port);
    }

    public int port() {
        return app.port();
    }

    /** The base URL clients use; a wildcard bind address is reached over loopback. */
    public String url() {
        boolean wildcard = host == null || host.isBlank() || "0.0.0.0".equals(host) || "::".equals(host);
        String h = wildcard ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + app.port();
    }

    private void register(Context ctx) {
        String subject = ctx.pathParam("subject");
        Schema schema = parseSchema(ctx);
        synchronized (this) {
            // Another instance may append the same version number concurrently: the later event wins
            // in every instance's store, so the loser sees its schema missing and takes the next version.
            for (int attempt = 1; ; attempt++) {
                var existing = store.find(subject, schema);
                if (existing.isPresent()) {
                    reply(ctx, Json.MAPPER.createObjectNode().put("id", existing.get().id()));
                    return;
                }
                if (attempt > 3) {
                    throw new IllegalStateException("concurrent registrations under " + subject + " kept winning; try again");
                }
                List<SchemaStore.Version> versions = store.versions(subject).orElse(List.of());
                CompatibilityLevel level = store.compatibility(subject);
                if (!level.allows(schema, parsed(versions))) {
                    throw new RegistryError(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                            "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                                    + "\" (compatibility " + level + ")");
                }
                int id = store.idFor(schema);
                int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
                log.append("SCHEMA:" + subject + ":" + version, SchemaStore.schemaEvent(
                        new SchemaStore.Version(subject, version, id, SchemaStore.canonical(schema))));
                LOG.info("registered schema id {} as version {} of subject {}", id, version, subject);
            }
        }
    }

    private static List<Schema> parsed(List<SchemaStore.Version> versions) {
        return versions.stream().map(v -> new Schema.Parser().parse(v.schema())).toList();
    }

    private void lookup(Context ctx) {
        String subject = ctx.pathParam("subject");
        Schema schema = parseSchema(ctx);
        if (store.versions(subject).isEmpty()) {
            throw subjectNotFound(subject);
        }
        SchemaStore.Version v = store.find(subject, schema)
                .orElseThrow(() -> new RegistryError(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found"));
        reply(ctx, versionBody(v));
    }

    private void listVersions(Context ctx) {
        String subject = ctx.pathParam("subject");
        ArrayNode out = Json.MAPPER.createArrayNode();
        store.versions(subject).orElseThrow(() -> subjectNotFound(subject)).forEach(v -> out.add(v.version()));
        reply(ctx, out);
    }

    private void getVersion(Context ctx) {
        reply(ctx, versionBody(resolveVersion(ctx.pathParam("subject"), ctx.pathParam("version"))));
    }

    private void getById(Context ctx) {
        int id = parseInt(ctx.pathParam("id"), SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
        String schema = store.schemaById(id)
                .orElseThrow(() -> new RegistryError(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found"));
        reply(ctx, Json.MAPPER.createObjectNode().put("schema", schema));
    }

    private void checkCompatibility(Context ctx) {
        String subject = ctx.pathParam("subject");
        Schema schema = parseSchema(ctx);
        SchemaStore.Version against = resolveVersion(subject, ctx.pathParam("version"));
        // Against "latest" the subject's level decides (transitive levels look at every version);
        // against a numbered version, only that version counts.
        List<Schema> previous = isLatest(ctx.pathParam("version"))
                ? parsed(store.versions(subject).orElseThrow())
                : parsed(List.of(against));
        boolean compatible = store.compatibility(subject).allows(schema, previous);
        reply(ctx, Json.MAPPER.createObjectNode().put("is_compatible", compatible));
    }

    private void getSubjectConfig(Context ctx) {
        String subject = ctx.pathParam("subject");
        var level = store.subjectCompatibility(subject);
        if (level.isEmpty() && !"true".equals(ctx.queryParam("defaultToGlobal"))) {
            throw new RegistryError(404, 40408, "Subject '" + subject + "' does not have subject-level compatibility configured");
        }
        reply(ctx, levelBody("compatibilityLevel", level.orElse(store.compatibility(null))));
    }

    private void putConfig(Context ctx, String subject) {
        JsonNode body = readBody(ctx);
        String requested = body.path("compatibility").asText(body.path("compatibilityLevel").asText(""));
        CompatibilityLevel level;
        try {
            level = CompatibilityLevel.valueOf(requested.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RegistryError(422, SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL, "Invalid compatibility level: " + requested);
        }
        log.append("CONFIG:" + (subject == null ? "" : subject), SchemaStore.configEvent(subject, level));
        reply(ctx, levelBody("compatibility", level));
    }

    private SchemaStore.Version resolveVersion(String subject, String version) {
        List<SchemaStore.Version> versions = store.versions(subject).orElseThrow(() -> subjectNotFound(subject));
        if (isLatest(version)) {
            return versions.get(versions.size() - 1);
        }
        int wanted;
        try {
            wanted = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new RegistryError(422, SchemaRegistryException.INVALID_VERSION,
                    "The specified version '" + version + "' is not a valid version id");
        }
        if (wanted < 1) {
            throw new RegistryError(422, SchemaRegistryException.INVALID_VERSION,
                    "The specified version '" + version + "' is not a valid version id");
        }
        return versions.stream().filter(v -> v.version() == wanted).findFirst()
                .orElseThrow(() -> new RegistryError(404, SchemaRegistryException.VERSION_NOT_FOUND, "Version " + version + " not found"));
    }

    private static boolean isLatest(String version) {
        return "latest".equals(version) || "-1".equals(version);
    }

    private static Schema parseSchema(Context ctx) {
        JsonNode body = readBody(ctx);
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new RegistryError(422, SchemaRegistryException.INVALID_SCHEMA, "Only AVRO schemas are supported, got " + type);
        }
        if (!body.path("schema").isTextual()) {
            throw new RegistryError(422, SchemaRegistryException.INVALID_SCHEMA, "Request body needs a \"schema\" string");
        }
        try {
            return new Schema.Parser().parse(body.path("schema").asText());
        } catch (SchemaParseException e) {
            throw new RegistryError(422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage());
        }
    }

    private static JsonNode readBody(Context ctx) {
        try {
            JsonNode body = Json.MAPPER.readTree(ctx.bodyAsBytes());
            if (body == null || !body.isObject()) {
                throw new RegistryError(422, 422, "Request body must be a JSON object");
            }
            return body;
        } catch (IOException e) {
            throw new RegistryError(400, 400, "Malformed JSON: " + e.getMessage());
        }
    }

    private static int parseInt(String s, int code, String message) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new RegistryError(404, code, message);
        }
    }

    private static RegistryError subjectNotFound(String subject) {
        return new RegistryError(404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    private static ObjectNode versionBody(SchemaStore.Version v) {
        return Json.MAPPER.createObjectNode().put("subject", v.subject()).put("id", v.id())
                .put("version", v.version()).put("schema", v.schema());
    }

    private static ObjectNode levelBody(String field, CompatibilityLevel level) {
        return Json.MAPPER.createObjectNode().put(field, level.name());
    }

    private static void reply(Context ctx, JsonNode body) {
        ctx.contentType(CONTENT_TYPE).result(body.toString());
    }

    private static void error(Context ctx, int status, int code, String message) {
        ctx.status(status).contentType(CONTENT_TYPE)
                .result(Json.MAPPER.createObjectNode().put("error_code", code).put("message", message).toString());
    }

    @Override
    public void close() {
        app.stop();
        log.close();
    }

    /** A Confluent-shaped error answer: HTTP status and error_code. */
    private static final class RegistryError extends RuntimeException {
        final int status;
        final int code;

        RegistryError(int status, int code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }
}
