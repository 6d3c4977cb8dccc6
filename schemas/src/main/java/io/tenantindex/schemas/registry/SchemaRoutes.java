package io.tenantindex.schemas.registry;

import static io.tenantindex.schemas.registry.RegistryRequests.array;
import static io.tenantindex.schemas.registry.RegistryRequests.flag;
import static io.tenantindex.schemas.registry.RegistryRequests.parseSchema;
import static io.tenantindex.schemas.registry.RegistryRequests.parsed;
import static io.tenantindex.schemas.registry.RegistryRequests.readBody;
import static io.tenantindex.schemas.registry.RegistryRequests.reply;
import static io.tenantindex.schemas.registry.RegistryRequests.schemaId;
import static io.tenantindex.schemas.registry.RegistryRequests.versionBody;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.tenantindex.common.Json;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The registry's read-only routes by schema ({@code /schemas...}) and its compatibility checks
 * ({@code /compatibility/subjects/{s}/versions[/{v}]}, with Confluent's {@code verbose=true} messages).
 */
final class SchemaRoutes {
    private final SchemaStore store;

    SchemaRoutes(SchemaStore store) {
        this.store = store;
    }

    void register(JavalinConfig config) {
        config.routes.get("/schemas/types", ctx -> reply(ctx, array(List.of("AVRO"))));
        config.routes.get("/schemas", this::listSchemas);
        config.routes.get("/schemas/ids/{id}", ctx -> {
            SchemaStore.Version v = byId(ctx);
            reply(ctx, RegistryRequests.withReferences(Json.MAPPER.createObjectNode().put("schema", v.schema()), v));
        });
        config.routes.get("/schemas/ids/{id}/schema", ctx -> reply(ctx, Json.MAPPER.readTree(schema(ctx))));
        config.routes.get("/schemas/ids/{id}/subjects", ctx ->
                reply(ctx, array(holders(ctx).stream().map(SchemaStore.Version::subject).distinct().toList())));
        config.routes.get("/schemas/ids/{id}/versions", this::idVersions);
        config.routes.post("/compatibility/subjects/{subject}/versions/{version}", ctx -> checkCompatibility(ctx, ctx.pathParam("version")));
        config.routes.post("/compatibility/subjects/{subject}/versions", ctx -> checkCompatibility(ctx, null));
    }

    private SchemaStore.Version byId(Context ctx) {
        int id = schemaId(ctx);
        return store.byId(id).orElseThrow(() -> RegistryError.schemaNotFound("Schema " + id));
    }

    private String schema(Context ctx) {
        return byId(ctx).schema();
    }

    private List<SchemaStore.Version> holders(Context ctx) {
        byId(ctx);
        return store.versionsWithId(schemaId(ctx), flag(ctx, "deleted"));
    }

    private void idVersions(Context ctx) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        holders(ctx).forEach(v -> out.addObject().put("subject", v.subject()).put("version", v.version()));
        reply(ctx, out);
    }

    private void listSchemas(Context ctx) {
        String prefix = ctx.queryParam("subjectPrefix") == null ? "" : ctx.queryParam("subjectPrefix");
        ArrayNode out = Json.MAPPER.createArrayNode();
        store.allVersions(flag(ctx, "deleted"), flag(ctx, "latestOnly")).stream()
                .filter(v -> v.subject().startsWith(prefix)).forEach(v -> out.add(versionBody(v)));
        reply(ctx, out);
    }

    /**
     * Against one numbered version only that version counts; against "latest", or with no version
     * at all, the subject's level decides which versions (transitive levels look at every one), as
     * a registration would. A subject without versions accepts anything when no version is named.
     */
    private void checkCompatibility(Context ctx, String version) {
        String subject = ctx.pathParam("subject");
        Schema schema = parseSchema(readBody(ctx), store).schema();
        var versions = store.versions(subject, false);
        List<Schema> previous;
        if (version == null) {
            previous = parsed(store, versions);
        } else {
            var all = versions.orElseThrow(() -> RegistryError.subjectNotFound(subject));
            SchemaStore.Version against = RegistryRequests.resolve(all, version);
            previous = RegistryRequests.isLatest(version) ? parsed(store, all) : parsed(store, List.of(against));
        }
        List<String> problems = store.compatibility(subject).problems(schema, previous);
        ObjectNode out = Json.MAPPER.createObjectNode().put("is_compatible", problems.isEmpty());
        if (flag(ctx, "verbose")) {
            out.set("messages", array(problems));
        }
        reply(ctx, out);
    }
}
