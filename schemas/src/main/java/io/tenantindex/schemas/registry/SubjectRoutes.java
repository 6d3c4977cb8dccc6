package io.tenantindex.schemas.registry;

import static io.tenantindex.schemas.registry.RegistryRequests.array;
import static io.tenantindex.schemas.registry.RegistryRequests.flag;
import static io.tenantindex.schemas.registry.RegistryRequests.parseSchema;
import static io.tenantindex.schemas.registry.RegistryRequests.parsed;
import static io.tenantindex.schemas.registry.RegistryRequests.readBody;
import static io.tenantindex.schemas.registry.RegistryRequests.reply;
import static io.tenantindex.schemas.registry.RegistryRequests.versionBody;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.tenantindex.common.Json;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's {@code /subjects} routes: registering (with schema references, and in IMPORT mode
 * under a given id and version), looking up, listing and reading versions, and Confluent's two-step deletes (a soft
 * delete hides a version but keeps its id readable; {@code permanent=true} afterwards removes it).
 * Every write is one or more {@link SchemaLog} records, applied before the answer goes out.
 */
final class SubjectRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(SubjectRoutes.class);

    private final SchemaStore store;
    private final SchemaLog log;

    SubjectRoutes(SchemaStore store, SchemaLog log) {
        this.store = store;
        this.log = log;
    }

    void register(JavalinConfig config) {
        config.routes.post("/subjects/{subject}/versions", this::registerSchema);
        config.routes.post("/subjects/{subject}", this::lookup);
        config.routes.get("/subjects", ctx -> reply(ctx, array(store.subjects(flag(ctx, "deleted")))));
        config.routes.delete("/subjects/{subject}", this::deleteSubject);
        config.routes.get("/subjects/{subject}/versions", this::listVersions);
        config.routes.get("/subjects/{subject}/versions/{version}", ctx -> reply(ctx, versionBody(version(ctx))));
        config.routes.get("/subjects/{subject}/versions/{version}/schema", ctx -> reply(ctx, Json.MAPPER.readTree(version(ctx).schema())));
        config.routes.get("/subjects/{subject}/versions/{version}/referencedby", ctx -> {
            SchemaStore.Version v = version(ctx);
            reply(ctx, array(store.referencedBy(v.subject(), v.version())));
        });
        config.routes.delete("/subjects/{subject}/versions/{version}", this::deleteVersion);
    }

    private synchronized void registerSchema(Context ctx) {
        String subject = ctx.pathParam("subject");
        JsonNode body = readBody(ctx);
        RegistryMode mode = writable(subject);
        SchemaReferences.Resolved schema = parseSchema(body, store);
        int givenId = body.path("id").asInt(0);
        int givenVersion = body.path("version").asInt(0);
        if (mode == RegistryMode.IMPORT) {
            reply(ctx, Json.MAPPER.createObjectNode().put("id", importSchema(subject, schema, givenId, givenVersion)));
            return;
        }
        if (givenId > 0 || givenVersion > 0) {
            throw RegistryError.notPermitted("Subject " + subject + " is not in import mode: a registration cannot choose its id or version");
        }
        // Another instance may append the same version number concurrently: the later event wins
        // in every instance's store, so the loser sees its schema missing and takes the next version.
        for (int attempt = 1; ; attempt++) {
            var existing = store.find(subject, schema, false);
            if (existing.isPresent()) {
                reply(ctx, Json.MAPPER.createObjectNode().put("id", existing.get().id()));
                return;
            }
            if (attempt > 3) {
                throw new IllegalStateException("concurrent registrations under " + subject + " kept winning; try again");
            }
            CompatibilityLevel level = store.compatibility(subject);
            List<String> problems = level.problems(schema.schema(), parsed(store, store.versions(subject, false)));
            if (!problems.isEmpty()) {
                throw new RegistryError(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                                + "\", details: " + problems + " (compatibility " + level + ")");
            }
            append(new SchemaStore.Version(subject, store.nextVersion(subject), store.idFor(schema), schema));
        }
    }

    /** A migration's registration: its id and version if it brings them, no compatibility check (as Confluent). */
    private int importSchema(String subject, SchemaReferences.Resolved schema, int givenId, int givenVersion) {
        var existing = store.find(subject, schema, false);
        if (existing.isPresent() && (givenId <= 0 || existing.get().id() == givenId)) {
            return existing.get().id();
        }
        int id = givenId > 0 ? givenId : store.idFor(schema);
        if (existing.isPresent()) {
            throw new RegistryError(422, RegistryError.ID_DOES_NOT_MATCH, "Schema already registered with id "
                    + existing.get().id() + " instead of input id " + id);
        }
        store.byId(id).filter(v -> !v.schema().equals(schema.canonical()) || !v.references().equals(schema.references())).ifPresent(other -> {
            throw RegistryError.notPermitted("Overwrite new schema with id " + id + " is not permitted.");
        });
        int version = givenVersion > 0 ? givenVersion : store.nextVersion(subject);
        if (store.versions(subject, true).orElse(List.of()).stream().anyMatch(v -> v.version() == version)) {
            throw RegistryError.notPermitted("Overwrite new schema with version " + version + " of subject " + subject + " is not permitted.");
        }
        append(new SchemaStore.Version(subject, version, id, schema));
        return id;
    }

    private void append(SchemaStore.Version v) {
        log.append(SchemaEvents.schema(v));
        LOG.info("registered schema id {} as version {} of subject {}", v.id(), v.version(), v.subject());
    }

    private RegistryMode writable(String subject) {
        RegistryMode mode = store.mode(subject);
        if (mode == RegistryMode.READONLY) {
            throw RegistryError.notPermitted("Subject " + subject + " is in read-only mode");
        }
        return mode;
    }

    /** As Confluent: a version another live version references cannot be deleted, softly or for good. */
    private void requireUnreferenced(SchemaStore.Version v) {
        List<Integer> by = store.referencedBy(v.subject(), v.version());
        if (!by.isEmpty()) {
            throw new RegistryError(422, RegistryError.REFERENCE_EXISTS, "One or more references exist to the schema {subject="
                    + v.subject() + ",version=" + v.version() + "}: schema ids " + by);
        }
    }

    private void lookup(Context ctx) {
        String subject = ctx.pathParam("subject");
        SchemaReferences.Resolved schema = parseSchema(readBody(ctx), store);
        boolean deleted = flag(ctx, "deleted");
        if (store.versions(subject, deleted).isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        reply(ctx, versionBody(store.find(subject, schema, deleted).orElseThrow(() -> RegistryError.schemaNotFound("Schema"))));
    }

    private void listVersions(Context ctx) {
        String subject = ctx.pathParam("subject");
        var versions = store.versions(subject, flag(ctx, "deleted")).orElseThrow(() -> RegistryError.subjectNotFound(subject));
        reply(ctx, array(versions.stream().map(SchemaStore.Version::version).toList()));
    }

    private SchemaStore.Version version(Context ctx) {
        String subject = ctx.pathParam("subject");
        String version = ctx.pathParam("version");
        var versions = store.versions(subject, flag(ctx, "deleted")).orElseThrow(() -> RegistryError.subjectNotFound(subject));
        return RegistryRequests.resolve(versions, version);
    }

    private synchronized void deleteSubject(Context ctx) {
        String subject = ctx.pathParam("subject");
        writable(subject);
        List<SchemaStore.Version> all = store.versions(subject, true).orElseThrow(() -> RegistryError.subjectNotFound(subject));
        all.forEach(this::requireUnreferenced);
        List<Integer> deleted = new ArrayList<>();
        if (flag(ctx, "permanent")) {
            if (all.stream().anyMatch(v -> !v.deleted())) {
                throw RegistryError.notSoftDeleted(subject);
            }
            for (SchemaStore.Version v : all) {
                log.append(SchemaEvents.permanentDelete(subject, v.version()));
                deleted.add(v.version());
            }
            // A subject deleted for good takes its own config and mode with it.
            if (store.subjectCompatibility(subject).isPresent()) {
                log.append(SchemaEvents.deleteConfig(subject));
            }
            if (store.subjectMode(subject).isPresent()) {
                log.append(SchemaEvents.deleteMode(subject));
            }
        } else {
            List<SchemaStore.Version> live = all.stream().filter(v -> !v.deleted()).toList();
            if (live.isEmpty()) {
                throw RegistryError.softDeleted(subject);
            }
            for (SchemaStore.Version v : live) {
                log.append(SchemaEvents.schema(v.softDeleted()));
                deleted.add(v.version());
            }
        }
        LOG.info("deleted versions {} of subject {}{}", deleted, subject, flag(ctx, "permanent") ? " permanently" : "");
        reply(ctx, array(deleted));
    }

    private synchronized void deleteVersion(Context ctx) {
        String subject = ctx.pathParam("subject");
        String version = ctx.pathParam("version");
        boolean permanent = flag(ctx, "permanent");
        writable(subject);
        List<SchemaStore.Version> all = store.versions(subject, true).orElseThrow(() -> RegistryError.subjectNotFound(subject));
        List<SchemaStore.Version> candidates = permanent || !RegistryRequests.isLatest(version)
                ? all : all.stream().filter(v -> !v.deleted()).toList();
        if (candidates.isEmpty()) {
            throw RegistryError.versionNotFound(version);
        }
        SchemaStore.Version v = RegistryRequests.resolve(candidates, version);
        requireUnreferenced(v);
        if (permanent) {
            if (!v.deleted()) {
                throw RegistryError.versionNotSoftDeleted(subject, v.version());
            }
            log.append(SchemaEvents.permanentDelete(subject, v.version()));
        } else {
            if (v.deleted()) {
                throw RegistryError.versionSoftDeleted(subject, v.version());
            }
            log.append(SchemaEvents.schema(v.softDeleted()));
        }
        LOG.info("deleted version {} of subject {}{}", v.version(), subject, permanent ? " permanently" : "");
        reply(ctx, Json.MAPPER.getNodeFactory().numberNode(v.version()));
    }
}
