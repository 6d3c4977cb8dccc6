package io.tenantindex.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's in-memory view (subjects, versions and their soft-deleted flags, ids,
 * compatibility and mode config), rebuilt from the {@link SchemaLog} by applying its records in log
 * order, so every instance reaching the same offset holds the same state.
 *
 * <p>A schema's identity is Avro's full JSON rendering ({@link Schema#toString()}), as in Confluent:
 * unlike Avro's parsing canonical form it keeps defaults, docs and properties, so adding a default
 * is a new schema rather than a silent no-op. Ids are derived from a hash of that rendering, so two
 * registry instances assign the same id to the same schema without coordinating, and ids are neither
 * small nor sequential (clients must not assume they are). A soft-deleted version keeps its id
 * (records written with it stay readable); a permanently deleted one frees it once no other
 * version holds it.
 */
final class SchemaStore {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaStore.class);
    private static final CompatibilityLevel DEFAULT_LEVEL = CompatibilityLevel.BACKWARD;

    /** {@code schema} is always the canonical rendering (naming, not repeating, the types its references define). */
    record Version(String subject, int version, int id, String schema, boolean deleted,
                   List<SchemaReferences.Reference> references) {
        Version(String subject, int version, int id, String schema) {
            this(subject, version, id, schema, false, List.of());
        }

        Version(String subject, int version, int id, SchemaReferences.Resolved schema) {
            this(subject, version, id, schema.canonical(), false, schema.references());
        }

        Version softDeleted() {
            return new Version(subject, version, id, schema, true, references);
        }

        SchemaReferences.Source source() {
            return new SchemaReferences.Source(schema, references);
        }
    }

    private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectConfig = new HashMap<>();
    private final Map<String, RegistryMode> subjectMode = new HashMap<>();
    private CompatibilityLevel globalConfig = DEFAULT_LEVEL;
    private RegistryMode globalMode = RegistryMode.READWRITE;

    /** Applies one log record ({@code event} null: a tombstone); records this version does not understand are skipped. */
    synchronized void apply(String key, JsonNode event) {
        if (event == null) {
            applyTombstone(SchemaEvents.Key.parse(key));
            return;
        }
        String subject = event.hasNonNull("subject") ? event.path("subject").asText() : null;
        switch (event.path("type").asText()) {
            case SchemaEvents.SCHEMA -> {
                List<SchemaReferences.Reference> references = SchemaReferences.fromJson(event.path("references"));
                String schema = event.path("schema").asText();
                // A schema with references was canonicalized when registered; it is not parsed here
                // because compaction may have moved the versions it references after it in the log.
                if (references.isEmpty()) {
                    try {
                        schema = canonical(new Schema.Parser().parse(schema));
                    } catch (SchemaParseException e) {
                        LOG.error("skipping schema event with an unparseable schema: {}", event, e);
                        return;
                    }
                }
                Version v = new Version(subject, event.path("version").asInt(), event.path("id").asInt(), schema,
                        event.path("deleted").asBoolean(false), references);
                // A later event for the same subject and version wins, as compaction of the same key would decide.
                subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), v);
            }
            case SchemaEvents.CONFIG -> parse(CompatibilityLevel.class, event.path("compatibility").asText(), event)
                    .ifPresent(level -> {
                        if (subject == null) {
                            globalConfig = level;
                        } else {
                            subjectConfig.put(subject, level);
                        }
                    });
            case SchemaEvents.MODE -> parse(RegistryMode.class, event.path("mode").asText(), event).ifPresent(mode -> {
                if (subject == null) {
                    globalMode = mode;
                } else {
                    subjectMode.put(subject, mode);
                }
            });
            default -> LOG.warn("skipping unknown schema log event: {}", event);
        }
    }

    private void applyTombstone(SchemaEvents.Key key) {
        switch (key.type()) {
            case SchemaEvents.SCHEMA -> {
                TreeMap<Integer, Version> versions = subjects.get(key.subject());
                if (versions != null) {
                    versions.remove(key.version());
                    if (versions.isEmpty()) {
                        subjects.remove(key.subject());
                    }
                }
            }
            case SchemaEvents.CONFIG -> {
                if (key.subject() == null) {
                    globalConfig = DEFAULT_LEVEL;
                } else {
                    subjectConfig.remove(key.subject());
                }
            }
            case SchemaEvents.MODE -> {
                if (key.subject() == null) {
                    globalMode = RegistryMode.READWRITE;
                } else {
                    subjectMode.remove(key.subject());
                }
            }
            default -> LOG.warn("skipping a tombstone with an unknown key");
        }
    }

    private static <E extends Enum<E>> Optional<E> parse(Class<E> type, String name, JsonNode event) {
        try {
            return Optional.of(Enum.valueOf(type, name));
        } catch (IllegalArgumentException e) {
            LOG.error("skipping {} event with an unknown value: {}", type.getSimpleName(), event);
            return Optional.empty();
        }
    }

    static String canonical(Schema schema) {
        return schema.toString();
    }

    synchronized int idFor(Schema schema) {
        return idFor(new SchemaReferences.Resolved(schema, canonical(schema), List.of()));
    }

    /**
     * The id for {@code schema} with its references: the one it already has, else a hash of its
     * canonical rendering (and references), probing upwards on the (unlikely) collision with a
     * different schema.
     */
    synchronized int idFor(SchemaReferences.Resolved schema) {
        Optional<Version> known = all().filter(v -> sameSchema(v, schema)).findFirst();
        if (known.isPresent()) {
            return known.get().id();
        }
        String identity = schema.references().isEmpty() ? schema.canonical() : schema.canonical() + schema.references();
        int id = Math.max(1, ByteBuffer.wrap(sha256(identity)).getInt() & 0x7fffffff);
        while (schemaById(id).isPresent()) {
            id = id == Integer.MAX_VALUE ? 1 : id + 1;
        }
        return id;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private Stream<Version> all() {
        return subjects.values().stream().flatMap(vs -> vs.values().stream());
    }

    private static boolean sameSchema(Version v, SchemaReferences.Resolved schema) {
        return v.schema().equals(schema.canonical()) && v.references().equals(schema.references());
    }

    /** The schema with {@code id}, soft-deleted versions included (as Confluent serves them). */
    synchronized Optional<String> schemaById(int id) {
        return byId(id).map(Version::schema);
    }

    /** A version holding {@code id} (its schema and references), soft-deleted versions included. */
    synchronized Optional<Version> byId(int id) {
        return all().filter(v -> v.id() == id).findFirst();
    }

    /** The version, soft-deleted or not. */
    synchronized Optional<Version> version(String subject, int version) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return Optional.ofNullable(versions == null ? null : versions.get(version));
    }

    /** {@code schema} with its references resolved against this store. */
    synchronized SchemaReferences.Resolved resolve(String schema, List<SchemaReferences.Reference> references) {
        return SchemaReferences.parse(schema, references, (s, v) -> version(s, v).map(Version::source));
    }

    /** The full Avro schema of a version, its references resolved. */
    synchronized Schema parse(Version v) {
        return resolve(v.schema(), v.references()).schema();
    }

    /** The ids of the live versions whose references name {@code subject} {@code version}. */
    synchronized List<Integer> referencedBy(String subject, int version) {
        return all().filter(v -> !v.deleted() && v.references().stream()
                        .anyMatch(r -> r.subject().equals(subject) && r.version() == version))
                .map(Version::id).distinct().sorted().toList();
    }

    /** Every subject version holding {@code id}, by subject then version. */
    synchronized List<Version> versionsWithId(int id, boolean deleted) {
        return all().filter(v -> v.id() == id && (deleted || !v.deleted())).toList();
    }

    /** Subjects with a live version, or with any version when {@code deleted}. */
    synchronized List<String> subjects(boolean deleted) {
        return subjects.entrySet().stream()
                .filter(e -> deleted || e.getValue().values().stream().anyMatch(v -> !v.deleted()))
                .map(Map.Entry::getKey).toList();
    }

    /** Every version of every subject, by subject then version; with {@code latestOnly} each subject's newest. */
    synchronized List<Version> allVersions(boolean deleted, boolean latestOnly) {
        List<Version> out = new ArrayList<>();
        for (String subject : subjects(deleted)) {
            List<Version> vs = versions(subject, deleted).orElseThrow();
            out.addAll(latestOnly ? vs.subList(vs.size() - 1, vs.size()) : vs);
        }
        return out;
    }

    /** The subject's live versions (every version when {@code deleted}), oldest first; empty if there are none. */
    synchronized Optional<List<Version>> versions(String subject, boolean deleted) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        if (versions == null) {
            return Optional.empty();
        }
        List<Version> out = versions.values().stream().filter(v -> deleted || !v.deleted()).toList();
        return out.isEmpty() ? Optional.empty() : Optional.of(out);
    }

    /** The number the next registration under {@code subject} gets: soft-deleted versions keep theirs. */
    synchronized int nextVersion(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions == null ? 1 : versions.lastKey() + 1;
    }

    synchronized Optional<Version> find(String subject, Schema schema, boolean deleted) {
        return find(subject, new SchemaReferences.Resolved(schema, canonical(schema), List.of()), deleted);
    }

    /**
     * The version under {@code subject} whose schema is {@code schema}, the newest if several. A
     * schema given without references also finds a version registered with references whose full
     * schema it equals: a client that only holds the full schema (ours) can look it up.
     */
    synchronized Optional<Version> find(String subject, SchemaReferences.Resolved schema, boolean deleted) {
        return versions(subject, deleted).flatMap(vs -> vs.stream()
                .filter(v -> sameSchema(v, schema) || schema.references().isEmpty() && sameFullSchema(v, schema.schema()))
                .max(Comparator.comparingInt(Version::version)));
    }

    private boolean sameFullSchema(Version v, Schema schema) {
        try {
            return !v.references().isEmpty() && parse(v).equals(schema);
        } catch (RuntimeException e) {
            return false;
        }
    }

    synchronized boolean isEmpty() {
        return subjects.isEmpty();
    }

    synchronized CompatibilityLevel compatibility(String subject) {
        return subject == null ? globalConfig : subjectConfig.getOrDefault(subject, globalConfig);
    }

    synchronized Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        return Optional.ofNullable(subjectConfig.get(subject));
    }

    synchronized RegistryMode mode(String subject) {
        return subject == null ? globalMode : subjectMode.getOrDefault(subject, globalMode);
    }

    synchronized Optional<RegistryMode> subjectMode(String subject) {
        return Optional.ofNullable(subjectMode.get(subject));
    }
}
