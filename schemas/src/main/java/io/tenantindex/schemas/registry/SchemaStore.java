package io.tenantindex.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantindex.common.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The registry's in-memory view (subjects, versions, ids, compatibility config), rebuilt from the
 * {@link SchemaLog}. Ids are derived from the schema's Avro parsing fingerprint, so two registry
 * instances assign the same id to the same schema without coordinating, and ids are neither small
 * nor sequential (clients must not assume they are).
 */
final class SchemaStore {
    record Version(String subject, int version, int id, String schema) {
    }

    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectConfig = new HashMap<>();
    private CompatibilityLevel globalConfig = CompatibilityLevel.BACKWARD;

    synchronized void apply(JsonNode event) {
        switch (event.path("type").asText()) {
            case "SCHEMA" -> {
                Version v = new Version(event.path("subject").asText(), event.path("version").asInt(),
                        event.path("id").asInt(), event.path("schema").asText());
                schemasById.put(v.id(), v.schema());
                subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), v);
            }
            case "CONFIG" -> {
                CompatibilityLevel level = CompatibilityLevel.valueOf(event.path("compatibility").asText());
                if (event.hasNonNull("subject")) {
                    subjectConfig.put(event.path("subject").asText(), level);
                } else {
                    globalConfig = level;
                }
            }
            default -> { } // Unknown event types come from newer registries; skipping them keeps us readable.
        }
    }

    /**
     * The id for {@code schema}: the one it already has, else its fingerprint id, probing upwards on
     * the (unlikely) collision with a different schema.
     */
    synchronized int idFor(Schema schema) {
        long fp = SchemaNormalization.parsingFingerprint64(schema);
        int id = Math.max(1, (int) (fp ^ (fp >>> 32)) & 0x7fffffff);
        String parsingForm = SchemaNormalization.toParsingForm(schema);
        while (schemasById.containsKey(id) && !parsingFormOf(schemasById.get(id)).equals(parsingForm)) {
            id = id == Integer.MAX_VALUE ? 1 : id + 1;
        }
        return id;
    }

    private static String parsingFormOf(String schema) {
        return SchemaNormalization.toParsingForm(new Schema.Parser().parse(schema));
    }

    synchronized Optional<String> schemaById(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    synchronized List<String> subjects() {
        return new ArrayList<>(subjects.keySet());
    }

    synchronized Optional<List<Version>> versions(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions == null ? Optional.empty() : Optional.of(new ArrayList<>(versions.values()));
    }

    /** The version under {@code subject} whose schema is {@code schema} (by parsing form). */
    synchronized Optional<Version> find(String subject, Schema schema) {
        String parsingForm = SchemaNormalization.toParsingForm(schema);
        return versions(subject).flatMap(vs -> vs.stream()
                .filter(v -> parsingFormOf(v.schema()).equals(parsingForm))
                .findFirst());
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
