package io.tenantindex.schemas.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantindex.common.Json;

/**
 * The records of the {@link SchemaLog}: their keys (one per subject version, per subject config
 * and per subject mode, so compaction keeps the latest state of each) and their JSON values. A
 * permanent delete is a tombstone (null value) for the key, which compaction eventually removes.
 */
final class SchemaEvents {
    static final String SCHEMA = "SCHEMA";
    static final String CONFIG = "CONFIG";
    static final String MODE = "MODE";

    /** A record to append: {@code value} null is a tombstone. */
    record Entry(String key, ObjectNode value) {
    }

    /** A parsed key: its type, subject (null for the global config or mode) and version (0 if none). */
    record Key(String type, String subject, int version) {
        /**
         * The subject may itself contain ':' (Confluent's contexts), so the version is what follows
         * the last one.
         */
        static Key parse(String key) {
            if (key == null || !key.contains(":")) {
                return new Key("", null, 0);
            }
            String type = key.substring(0, key.indexOf(':'));
            String rest = key.substring(type.length() + 1);
            if (SCHEMA.equals(type)) {
                int cut = rest.lastIndexOf(':');
                try {
                    return new Key(type, rest.substring(0, cut), Integer.parseInt(rest.substring(cut + 1)));
                } catch (RuntimeException e) {
                    return new Key("", null, 0);
                }
            }
            return new Key(type, rest.isEmpty() ? null : rest, 0);
        }
    }

    private SchemaEvents() {
    }

    static Entry schema(SchemaStore.Version v) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("type", SCHEMA).put("subject", v.subject()).put("version", v.version()).put("id", v.id())
                .put("schema", v.schema()).put("deleted", v.deleted());
        if (!v.references().isEmpty()) {
            e.set("references", SchemaReferences.toJson(v.references()));
        }
        return new Entry(schemaKey(v.subject(), v.version()), e);
    }

    static Entry permanentDelete(String subject, int version) {
        return new Entry(schemaKey(subject, version), null);
    }

    static Entry config(String subject, CompatibilityLevel level) {
        return new Entry(CONFIG + ":" + nullToEmpty(subject), scoped(CONFIG, subject).put("compatibility", level.name()));
    }

    static Entry deleteConfig(String subject) {
        return new Entry(CONFIG + ":" + nullToEmpty(subject), null);
    }

    static Entry mode(String subject, RegistryMode mode) {
        return new Entry(MODE + ":" + nullToEmpty(subject), scoped(MODE, subject).put("mode", mode.name()));
    }

    static Entry deleteMode(String subject) {
        return new Entry(MODE + ":" + nullToEmpty(subject), null);
    }

    private static String schemaKey(String subject, int version) {
        return SCHEMA + ":" + subject + ":" + version;
    }

    private static ObjectNode scoped(String type, String subject) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("type", type);
        if (subject != null) {
            e.put("subject", subject);
        }
        return e;
    }

    private static String nullToEmpty(String subject) {
        return subject == null ? "" : subject;
    }
}
