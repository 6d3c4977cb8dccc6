package io.tenantindex.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.tenantindex.common.Json;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.AvroRuntimeException;

/** How the embedded registry's routes read requests and write answers in Confluent's shapes. */
final class RegistryRequests {
    static final String CONTENT_TYPE = HttpSchemaRegistryClient.CONTENT_TYPE;

    private RegistryRequests() {
    }

    static JsonNode readBody(Context ctx) {
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

    /**
     * The Avro schema of a registration, lookup or compatibility request. Stored schemas are always
     * Avro's full rendering of the parsed schema, which is what Confluent's {@code normalize=true}
     * produces for Avro, so normalizing needs no further step.
     */
    static SchemaReferences.Resolved parseSchema(JsonNode body, SchemaStore store) {
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw RegistryError.invalidSchema("Only AVRO schemas are supported, got " + type);
        }
        if (!body.path("schema").isTextual()) {
            throw RegistryError.invalidSchema("Request body needs a \"schema\" string");
        }
        try {
            return store.resolve(body.path("schema").asText(), SchemaReferences.fromJson(body.path("references")));
        } catch (IllegalArgumentException | AvroRuntimeException e) {
            // SchemaParseException is an AvroRuntimeException; a missing reference an IllegalArgumentException.
            throw RegistryError.invalidSchema("Invalid schema: " + e.getMessage());
        }
    }

    static boolean flag(Context ctx, String name) {
        return "true".equalsIgnoreCase(ctx.queryParam(name));
    }

    static <E extends Enum<E>> E parseEnum(Class<E> type, String value, RegistryError invalid) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid;
        }
    }

    /** {@code version} ("latest", "-1" or a number) among {@code versions} (oldest first). */
    static SchemaStore.Version resolve(List<SchemaStore.Version> versions, String version) {
        if (isLatest(version)) {
            return versions.get(versions.size() - 1);
        }
        int wanted = versionNumber(version);
        return versions.stream().filter(v -> v.version() == wanted).findFirst()
                .orElseThrow(() -> RegistryError.versionNotFound(version));
    }

    static int versionNumber(String version) {
        try {
            int n = Integer.parseInt(version);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw RegistryError.invalidVersion(version);
    }

    static boolean isLatest(String version) {
        return "latest".equals(version) || "-1".equals(version);
    }

    static int schemaId(Context ctx) {
        try {
            return Integer.parseInt(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound("Schema " + ctx.pathParam("id"));
        }
    }

    static List<Schema> parsed(SchemaStore store, List<SchemaStore.Version> versions) {
        return versions.stream().map(store::parse).toList();
    }

    static List<Schema> parsed(SchemaStore store, Optional<List<SchemaStore.Version>> versions) {
        return parsed(store, versions.orElse(List.of()));
    }

    static ObjectNode versionBody(SchemaStore.Version v) {
        return withReferences(Json.MAPPER.createObjectNode().put("subject", v.subject()).put("version", v.version())
                .put("id", v.id()).put("schema", v.schema()), v);
    }

    /** Confluent leaves {@code references} out when there are none. */
    static ObjectNode withReferences(ObjectNode body, SchemaStore.Version v) {
        if (!v.references().isEmpty()) {
            body.set("references", SchemaReferences.toJson(v.references()));
        }
        return body;
    }

    static ArrayNode array(List<?> values) {
        return Json.MAPPER.valueToTree(values);
    }

    static void reply(Context ctx, JsonNode body) {
        ctx.contentType(CONTENT_TYPE).result(body.toString());
    }

    static void error(Context ctx, int status, int code, String message) {
        ctx.status(status).contentType(CONTENT_TYPE)
                .result(Json.MAPPER.createObjectNode().put("error_code", code).put("message", message).toString());
    }
}
