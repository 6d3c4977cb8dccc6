package io.tenantindex.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantindex.common.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's in-memory view (subjects, versions, ids, compatibility config), rebuilt from the
 * {@link SchemaLog} by applying its events in log order, so every instance reaching the same offset
 * holds the same state.
 *
 * <p>A schema's identity is Avro's full JSON rendering ({@link Schema#toString()}), as in Confluent:
 * unlike Avro's parsing canonical form it keeps defaults, docs and properties, so adding a default
 * is a new schema rather than a silent no-op. Ids are derived from a hash of that rendering, so two
 * registry instances assign the same id to the same schema without coordinating, and ids are neither
 * small nor sequential (clients must not assume they are).
 */
final class SchemaStore {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaStore.class);

    /** {@code schema} is always the canonical rendering. */
    record Version(String subject, int version, int id, String schema) {
    }

    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectConfig = new HashMap<>();
    private CompatibilityLevel globalConfig = CompatibilityLevel.BACKWARD;

    /** Applies one log event; events this version does not understand are skipped, never fatal. */
    synchronized void apply(JsonNode event) {
        switch (event.path("type").asText()) {
            case "SCHEMA" -> {
                String schema;
                try {
                    schema = canonical(new Schema.Parser().parse(event.path("schema").asText()));
                } catch (SchemaParseException e) {
                    LOG.error("skipping schema event with an unparseable schema: {}", event, e);
                    return;
                }
                Version v = new Version(event.path("subject").asText(), event.path("version").asInt(),
                        event.path("id").asInt(), schema);
                schemasById.put(v.id(), v.schema());
                // A later event for the same subject and version wins, as compaction of the same key would decide.
                subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), v);
            }
            case "CONFIG" -> {
                CompatibilityLevel level;
                try {
                    level = CompatibilityLevel.valueOf(event.path("compatibility").asText());
                } catch (IllegalArgumentException e) {
                    LOG.error("skipping config event with an unknown level: {}", event);
                    return;
                }
                if (event.hasNonNull("subject")) {
                    subjectConfig.put(event.path("subject").asText(), level);
                } else {
                    globalConfig = level;
                }
            }
            default -> LOG.warn("skipping unknown schema log event: {}", event);
        }
    }

    static String canonical(Schema schema) {
        return schema.toString();
    }

    /**
     * The id for {@code schema}: the one it already has, else a hash of its canonical rendering,
     * probing upwards on the (unlikely) collision with a different schema.
     */
    synchronized int idFor(Schema schema) {
        String canonical = canonical(schema);
        int id = Math.max(1, ByteBuffer.wrap(sha256(canonical)).getInt() & 0x7fffffff);
        while (schemasById.containsKey(id) && !schemasById.get(id).equals(canonical)) {
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

    synchronized Optional<String> schemaById(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    synchronized List<String> subjects() {
        return new ArrayList<>(subjects.keySet());
    }

    /** The subject's versions, oldest first; empty if the subject is unknown. */
    synchronized Optional<List<Version>> versions(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions == null ? Optional.empty() : Optional.of(new ArrayList<>(versions.values()));
    }

    /** The version under {@code subject} whose schema is {@code schema}. */
    synchronized Optional<Version> find(String subject, Schema schema) {
        String canonical = canonical(schema);
        return versions(subject).flatMap(vs -> vs.stream().filter(v -> v.schema().equals(canonical)).findFirst());
    }

    synchronized CompatibilityLevel compatibility(String subject) {
        return subject == null ? globalConfig : subjectConfig.getOrDefault(subject, globalConfig);
    }

    synchronized Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        return Optional.ofNullable(subjectConfig.get(subject));
    }

    static ObjectNode schemaEvent(Version v) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("type", "SCHEMA").put("subject", v.subject()).put("version", v.version()).put("id", v.id()).put("schema", v.schema());
        return e;
    }

    static ObjectNode configEvent(String subject, CompatibilityLevel level) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("type", "CONFIG").put("compatibility", level.name());
        if (subject != null) {
            e.put("subject", subject);
        }
        return e;
    }
}
