package io.tenantindex.schemas.registry;

import static io.tenantindex.schemas.registry.RegistryRequests.flag;
import static io.tenantindex.schemas.registry.RegistryRequests.readBody;
import static io.tenantindex.schemas.registry.RegistryRequests.reply;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.tenantindex.common.Json;
import java.util.Optional;

/**
 * The registry's {@code /config} (compatibility level) and {@code /mode} routes, global and per
 * subject. A subject without its own setting follows the global one; deleting a setting is a
 * tombstone in the {@link SchemaLog}, so a restarted registry forgets it too.
 */
final class ConfigRoutes {
    private final SchemaStore store;
    private final SchemaLog log;

    ConfigRoutes(SchemaStore store, SchemaLog log) {
        this.store = store;
        this.log = log;
    }

    void register(JavalinConfig config) {
        config.routes.get("/config", ctx -> reply(ctx, level("compatibilityLevel", store.compatibility(null))));
        config.routes.put("/config", ctx -> putConfig(ctx, null));
        config.routes.delete("/config", ctx -> deleteConfig(ctx, null));
        config.routes.get("/config/{subject}", ctx -> reply(ctx, level("compatibilityLevel",
                subjectSetting(ctx, store.subjectCompatibility(subject(ctx)), store.compatibility(null),
                        RegistryError.SUBJECT_COMPATIBILITY_NOT_CONFIGURED, "compatibility"))));
        config.routes.put("/config/{subject}", ctx -> putConfig(ctx, subject(ctx)));
        config.routes.delete("/config/{subject}", ctx -> deleteConfig(ctx, subject(ctx)));

        config.routes.get("/mode", ctx -> reply(ctx, mode(store.mode(null))));
        config.routes.put("/mode", ctx -> putMode(ctx, null));
        config.routes.get("/mode/{subject}", ctx -> reply(ctx, mode(subjectSetting(ctx, store.subjectMode(subject(ctx)),
                store.mode(null), RegistryError.SUBJECT_MODE_NOT_CONFIGURED, "mode"))));
        config.routes.put("/mode/{subject}", ctx -> putMode(ctx, subject(ctx)));
        config.routes.delete("/mode/{subject}", this::deleteMode);
    }

    private static String subject(Context ctx) {
        return ctx.pathParam("subject");
    }

    private static <T> T subjectSetting(Context ctx, Optional<T> own, T global, int notConfigured, String what) {
        if (own.isEmpty() && !flag(ctx, "defaultToGlobal")) {
            throw new RegistryError(404, notConfigured, "Subject '" + subject(ctx) + "' does not have subject-level " + what + " configured");
        }
        return own.orElse(global);
    }

    private void putConfig(Context ctx, String subject) {
        JsonNode body = readBody(ctx);
        String requested = body.path("compatibility").asText(body.path("compatibilityLevel").asText(""));
        CompatibilityLevel level = RegistryRequests.parseEnum(CompatibilityLevel.class, requested, new RegistryError(422,
                SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL, "Invalid compatibility level: " + requested));
        log.append(SchemaEvents.config(subject, level));
        reply(ctx, level("compatibility", level));
    }

    /** Answers the level that applied before: the global default comes back as BACKWARD. */
    private void deleteConfig(Context ctx, String subject) {
        if (subject != null && store.versions(subject, true).isEmpty() && store.subjectCompatibility(subject).isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        CompatibilityLevel before = store.compatibility(subject);
        log.append(SchemaEvents.deleteConfig(subject));
        reply(ctx, level("compatibilityLevel", before));
    }

    /** IMPORT needs an empty registry (or subject) unless {@code force=true}: imported ids must not meet existing ones. */
    private void putMode(Context ctx, String subject) {
        String requested = readBody(ctx).path("mode").asText("");
        RegistryMode mode = RegistryRequests.parseEnum(RegistryMode.class, requested,
                new RegistryError(422, RegistryError.INVALID_MODE, "Invalid mode. Valid values are READWRITE, READONLY, IMPORT."));
        boolean empty = subject == null ? store.isEmpty() : store.versions(subject, true).isEmpty();
        if (mode == RegistryMode.IMPORT && !empty && !flag(ctx, "force")) {
            throw RegistryError.notPermitted("Cannot import since found existing subjects");
        }
        log.append(SchemaEvents.mode(subject, mode));
        reply(ctx, mode(mode));
    }

    private void deleteMode(Context ctx) {
        String subject = subject(ctx);
        if (store.subjectMode(subject).isEmpty() && store.versions(subject, true).isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        RegistryMode before = store.mode(subject);
        log.append(SchemaEvents.deleteMode(subject));
        reply(ctx, mode(before));
    }

    private static JsonNode level(String field, CompatibilityLevel level) {
        return Json.MAPPER.createObjectNode().put(field, level.name());
    }

    private static JsonNode mode(RegistryMode mode) {
        return Json.MAPPER.createObjectNode().put("mode", mode.name());
    }
}
