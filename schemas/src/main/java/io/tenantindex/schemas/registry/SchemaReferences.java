package io.tenantindex.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.tenantindex.common.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * Confluent's schema references: a schema may use named types defined by other subjects'
 * versions, listed as {@code {"name", "subject", "version"}}. Resolving parses those versions first
 * (their own references before them), so the schema's names resolve; the same algorithm serves the
 * registry (versions from its store) and the client (versions over HTTP). A schema with references
 * is kept in Avro's rendering that names, rather than repeats, the referenced types.
 */
final class SchemaReferences {
    private static final int MAX_DEPTH = 32;

    record Reference(String name, String subject, int version) {
    }

    /** A registered version's schema text and its own references. */
    record Source(String schema, List<Reference> references) {
    }

    /** Finds a subject version (soft-deleted ones included); empty if there is none. */
    interface Lookup {
        Optional<Source> find(String subject, int version);
    }

    /** A parsed schema: the full Avro schema, its canonical rendering and the references it was given. */
    record Resolved(Schema schema, String canonical, List<Reference> references) {
    }

    private SchemaReferences() {
    }

    /**
     * Parses {@code schema} with its {@code references} resolved through {@code lookup}; fails with
     * {@link IllegalArgumentException} for a missing or circular reference, and Avro's exceptions
     * for a schema that does not parse.
     */
    static Resolved parse(String schema, List<Reference> references, Lookup lookup) {
        Map<String, Schema> known = new LinkedHashMap<>();
        addReferenced(references, lookup, known, new HashSet<>(), 0);
        Schema parsed = new Schema.Parser().addTypes(known.values()).parse(schema);
        String canonical = references.isEmpty() ? parsed.toString() : parsed.toString(known.values(), false);
        return new Resolved(parsed, canonical, List.copyOf(references));
    }

    private static void addReferenced(List<Reference> references, Lookup lookup, Map<String, Schema> known,
                                      Set<String> visited, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("schema references nest deeper than " + MAX_DEPTH + " (a cycle?)");
        }
        for (Reference ref : references) {
            if (!visited.add(ref.subject() + "\u0000" + ref.version())) {
                continue;
            }
            Source source = lookup.find(ref.subject(), ref.version()).orElseThrow(() -> new IllegalArgumentException(
                    "referenced schema " + ref.name() + " (subject " + ref.subject() + ", version " + ref.version() + ") not found"));
            addReferenced(source.references(), lookup, known, visited, depth + 1);
            Schema.Parser parser = new Schema.Parser().addTypes(known.values());
            parser.parse(source.schema());
            known.putAll(parser.getTypes());
        }
    }

    static List<Reference> fromJson(JsonNode array) {
        List<Reference> out = new ArrayList<>();
        for (JsonNode r : array) {
            if (!r.path("name").isTextual() || !r.path("subject").isTextual() || !r.path("version").canConvertToInt()) {
                throw new IllegalArgumentException("a schema reference needs a name, a subject and a version: " + r);
            }
            out.add(new Reference(r.path("name").asText(), r.path("subject").asText(), r.path("version").asInt()));
        }
        return out;
    }

    static ArrayNode toJson(List<Reference> references) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        references.forEach(r -> out.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version()));
        return out;
    }
}
