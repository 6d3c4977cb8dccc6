package io.tenantindex.schemas.registry;

import static io.tenantindex.schemas.registry.RegistryRequests.error;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.common.metrics.ServiceMetrics;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small Confluent-compatible schema registry for the local stack and the tests: the REST API
 * Confluent's clients call ({@link SubjectRoutes}, {@link SchemaRoutes}, {@link ConfigRoutes}),
 * Confluent's error shape and codes, BACKWARD compatibility by default, schemas kept in the
 * compacted {@code _schemas} topic, Prometheus metrics at {@code /metrics}. Production deployments
 * point {@code registry.url} at Confluent Schema Registry, Apicurio (ccompat) or Karapace instead.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final String STARTED_AT = "registry.startedAt";
    /** The first path segments the routes serve: a metric tag of bounded cardinality (no subject names). */
    private static final Set<String> RESOURCES = Set.of("subjects", "schemas", "compatibility", "config", "mode", "metrics");

    private final SchemaStore store = new SchemaStore();
    private final SchemaLog log;
    private final PrometheusMeterRegistry metrics = ServiceMetrics.create("schema-registry");
    private final Javalin app;
    private final String host;

    private EmbeddedSchemaRegistry(KafkaSettings kafka, TopicSpec schemasTopic, String host, int port) {
        this.host = host;
        this.log = new SchemaLog(kafka, schemasTopic, store::apply);
        Gauge.builder("schema_registry_subjects", store, s -> s.subjects(false).size())
                .description("subjects with a live version").register(metrics);
        Gauge.builder("schema_registry_schema_versions", store, s -> s.allVersions(true, false).size())
                .description("subject versions, soft-deleted ones included").register(metrics);
        try {
            this.app = server().start(host, port);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        LOG.info("schema registry listening on {} (schemas in topic {})", url(), schemasTopic.name());
    }

    private Javalin server() {
        SubjectRoutes subjects = new SubjectRoutes(store, log);
        SchemaRoutes schemas = new SchemaRoutes(store);
        ConfigRoutes configs = new ConfigRoutes(store, log);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.routes.before(ctx -> ctx.attribute(STARTED_AT, System.nanoTime()));
            config.routes.after(this::record);
            subjects.register(config);
            schemas.register(config);
            configs.register(config);
            ServiceMetrics.route(config, metrics);
            config.routes.exception(RegistryError.class, (e, ctx) -> error(ctx, e.status, e.code, e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("registry error on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, 500, 50001, "Error in the backend data store: " + e.getMessage());
            });
            // Unknown routes (Javalin's own plain-text 404) get Confluent's error shape too; our
            // RegistryError 404s already have it and are left alone.
            config.routes.error(404, ctx -> {
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith(RegistryRequests.CONTENT_TYPE)) {
                    error(ctx, 404, 404, "HTTP 404 Not Found: " + ctx.method() + " " + ctx.path());
                }
            });
        });
    }

    private void record(Context ctx) {
        Long started = ctx.attribute(STARTED_AT);
        if (started == null) {
            return;
        }
        String[] segments = ctx.path().split("/");
        String resource = segments.length > 1 && RESOURCES.contains(segments[1]) ? segments[1] : "other";
        Timer.builder("schema_registry_requests")
                .description("registry HTTP requests by method, first path segment and status")
                .tags("method", ctx.method().name(), "resource", resource, "status", Integer.toString(ctx.statusCode()))
                .register(metrics).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
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

    @Override
    public void close() {
        app.stop();
        log.close();
        metrics.close();
    }
}
