package io.tenantindex.writer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.api.RegistrationBody;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.Tier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A registration as a client sends it, validated strictly: wrong types, unknown fields, unknown
 * tiers and oversize values are 400s with a message that names the field — never coerced.
 *
 * <p>A body is read first by {@link StreamingRegistration}, straight from the parser's tokens, which
 * accepts only bodies that are valid; anything else is read again here as a tree, which finds the
 * error and words it — so a bad body gets the same answer whichever path saw it first, and the
 * common, valid one costs no tree.
 *
 * @param expectedVersion the optional {@code expectedVersion} body field (0 = none): a mismatch is 409
 */
public record RegistrationRequest(String tenantId, String coloHint, TenantMetadata metadata, long expectedVersion) {
    static final int MAX_TEXT = 128;
    static final int MAX_FEATURES = 64;

    /** Parses a {@code PUT /tenants/{id}} body; the id comes from the path. */
    public static RegistrationRequest parse(byte[] body, String tenantId) {
        RegistrationRequest valid = StreamingRegistration.parse(body, tenantId);
        return valid != null ? valid : parseTree(body, tenantId);
    }

    /** {@link #parse} as a tree: what decides, and words, every answer but a valid body's. */
    static RegistrationRequest parseTree(byte[] body, String tenantId) {
        JsonNode root = readObject(body);
        if (root.has("tenantId") && !tenantId.equals(root.get("tenantId").asText(null))) {
            throw TenantIndexException.badRequest("tenantId in the body differs from the path");
        }
        return fromJson(root, tenantId);
    }

    /** Parses one NDJSON import line, which must name its tenant. */
    public static RegistrationRequest parseImportLine(String line) {
        RegistrationRequest valid = StreamingRegistration.parseImportLine(line);
        return valid != null ? valid : parseImportLineTree(line);
    }

    /** {@link #parseImportLine} as a tree. */
    static RegistrationRequest parseImportLineTree(String line) {
        JsonNode root = readObject(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        JsonNode id = root.get("tenantId");
        if (id == null || !id.isTextual()) {
            throw TenantIndexException.badRequest("'tenantId' must be a string");
        }
        return fromJson(root, io.tenantindex.common.TenantIds.requireValid(id.asText()));
    }

    private static JsonNode readObject(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw TenantIndexException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw TenantIndexException.badRequest("unreadable body: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw TenantIndexException.badRequest("body must be a JSON object");
        }
        return root;
    }

    private static RegistrationRequest fromJson(JsonNode root, String tenantId) {
        rejectUnknown(root, RegistrationBody.FIELDS, "");
        String coloHint = optionalText(root, "coloHint", "coloHint");
        JsonNode meta = root.get("metadata");
        if (meta == null || !meta.isObject()) {
            throw TenantIndexException.badRequest("'metadata' must be an object with at least 'tier'");
        }
        rejectUnknown(meta, RegistrationBody.METADATA_FIELDS, "metadata.");
        JsonNode tierNode = meta.get("tier");
        if (tierNode == null || !tierNode.isTextual()) {
            throw TenantIndexException.badRequest("'metadata.tier' must be one of free, pro, enterprise");
        }
        Tier tier;
        try {
            tier = Tier.valueOf(tierNode.asText().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw TenantIndexException.badRequest("'metadata.tier' must be one of free, pro, enterprise, got '" + clip(tierNode.asText()) + "'");
        }
        List<String> features = features(meta.get("features"));
        Integer maxConnections = null;
        JsonNode mc = meta.get("maxConnections");
        if (mc != null && !mc.isNull()) {
            if (!mc.isInt() || mc.asInt() < 0) {
                throw TenantIndexException.badRequest("'metadata.maxConnections' must be a non-negative 32-bit integer");
            }
            maxConnections = mc.asInt();
        }
        String region = optionalText(meta, "region", "metadata.region");
        long expectedVersion = 0;
        JsonNode ev = root.get("expectedVersion");
        if (ev != null && !ev.isNull()) {
            if (!ev.canConvertToLong() || !ev.isIntegralNumber() || ev.asLong() < 1) {
                throw TenantIndexException.badRequest("'expectedVersion' must be a positive integer");
            }
            expectedVersion = ev.asLong();
        }
        return new RegistrationRequest(tenantId, coloHint, metadata(tier, features, maxConnections, region), expectedVersion);
    }

    static TenantMetadata metadata(Tier tier, List<String> features, Integer maxConnections, String region) {
        return TenantMetadata.newBuilder().setTier(tier).setFeatures(features).setMaxConnections(maxConnections).setRegion(region).build();
    }

    private static List<String> features(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray() || node.size() > MAX_FEATURES) {
            throw TenantIndexException.badRequest("'metadata.features' must be an array of at most " + MAX_FEATURES + " strings");
        }
        for (JsonNode f : node) {
            if (!f.isTextual() || f.asText().isEmpty() || f.asText().length() > MAX_TEXT) {
                throw TenantIndexException.badRequest("'metadata.features' entries must be non-empty strings of at most " + MAX_TEXT + " characters");
            }
            out.add(f.asText());
        }
        return out;
    }

    private static String optionalText(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual() || n.asText().length() > MAX_TEXT) {
            throw TenantIndexException.badRequest("'" + path + "' must be a string of at most " + MAX_TEXT + " characters");
        }
        return n.asText();
    }

    private static void rejectUnknown(JsonNode node, Set<String> allowed, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw TenantIndexException.badRequest("unknown field '" + prefix + clip(name) + "'");
            }
        }
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
