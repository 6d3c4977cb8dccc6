package io.tenantindex.writer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tenantindex.common.Json;
import io.tenantindex.common.TenantIds;
import io.tenantindex.schemas.Tier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a registration straight from the JSON parser's tokens, with no tree, and accepts only a
 * body that {@link RegistrationRequest}'s tree reading would accept, with the same result; for any
 * other body (malformed, a duplicate, unknown or mistyped field, a value out of range) it answers
 * null and leaves the error and its wording to the tree reading.
 */
final class StreamingRegistration {
    /** The fields read here; a test holds them to the documented body's. */
    static final Set<String> FIELDS = Set.of("tenantId", "coloHint", "metadata", "expectedVersion");
    static final Set<String> METADATA_FIELDS = Set.of("tier", "features", "maxConnections", "region");

    private String tenantId;
    private boolean hasTenantId;
    private String coloHint;
    private boolean hasColoHint;
    private long expectedVersion;
    private boolean hasExpectedVersion;
    private boolean hasMetadata;
    private Tier tier;
    private List<String> features;
    private Integer maxConnections;
    private boolean hasMaxConnections;
    private String region;
    private boolean hasRegion;

    private StreamingRegistration() {
    }

    /** A PUT body for {@code tenantId} (from the path), or null when the tree reading must judge it. */
    static RegistrationRequest parse(byte[] body, String tenantId) {
        StreamingRegistration r = new StreamingRegistration();
        try (JsonParser p = Json.MAPPER.getFactory().createParser(body)) {
            if (!r.read(p) || r.hasTenantId && !tenantId.equals(r.tenantId)) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return r.request(tenantId);
    }

    /** One import line, which names its tenant, or null when the tree reading must judge it. */
    static RegistrationRequest parseImportLine(String line) {
        StreamingRegistration r = new StreamingRegistration();
        try (JsonParser p = Json.MAPPER.getFactory().createParser(line)) {
            if (!r.read(p) || r.tenantId == null || !TenantIds.isValid(r.tenantId)) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return r.request(r.tenantId);
    }

    private RegistrationRequest request(String id) {
        return new RegistrationRequest(id, coloHint, RegistrationRequest.metadata(tier, features == null ? new ArrayList<>() : features,
                maxConnections, region), expectedVersion);
    }

    /** Whether {@code p} holds one valid registration object and nothing after it. */
    private boolean read(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return false;
        }
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "tenantId" -> {
                    if (hasTenantId || t != JsonToken.VALUE_STRING) {
                        return false;
                    }
                    hasTenantId = true;
                    tenantId = p.getText();
                }
                case "coloHint" -> {
                    if (hasColoHint || !optionalText(p, t)) {
                        return false;
                    }
                    hasColoHint = true;
                    coloHint = t == JsonToken.VALUE_NULL ? null : p.getText();
                }
                case "expectedVersion" -> {
                    if (hasExpectedVersion || !expectedVersion(p, t)) {
                        return false;
                    }
                    hasExpectedVersion = true;
                }
                case "metadata" -> {
                    if (hasMetadata || t != JsonToken.START_OBJECT || !readMetadata(p)) {
                        return false;
                    }
                    hasMetadata = true;
                }
                default -> {
                    return false;
                }
            }
        }
        return p.currentToken() == JsonToken.END_OBJECT && hasMetadata && p.nextToken() == null;
    }

    private boolean readMetadata(JsonParser p) throws IOException {
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "tier" -> {
                    if (tier != null || t != JsonToken.VALUE_STRING || !tier(p.getText())) {
                        return false;
                    }
                }
                case "features" -> {
                    if (features != null || !features(p, t)) {
                        return false;
                    }
                }
                case "maxConnections" -> {
                    if (hasMaxConnections || !maxConnections(p, t)) {
                        return false;
                    }
                    hasMaxConnections = true;
                }
                case "region" -> {
                    if (hasRegion || !optionalText(p, t)) {
                        return false;
                    }
                    hasRegion = true;
                    region = t == JsonToken.VALUE_NULL ? null : p.getText();
                }
                default -> {
                    return false;
                }
            }
        }
        return p.currentToken() == JsonToken.END_OBJECT && tier != null;
    }

    private boolean tier(String text) {
        try {
            tier = Tier.valueOf(text.toLowerCase(Locale.ROOT));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean features(JsonParser p, JsonToken t) throws IOException {
        features = new ArrayList<>();
        if (t == JsonToken.VALUE_NULL) {
            return true;
        }
        if (t != JsonToken.START_ARRAY) {
            return false;
        }
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (e != JsonToken.VALUE_STRING || features.size() >= RegistrationRequest.MAX_FEATURES) {
                return false;
            }
            String f = p.getText();
            if (f.isEmpty() || f.length() > RegistrationRequest.MAX_TEXT) {
                return false;
            }
            features.add(f);
        }
        return true;
    }

    private boolean maxConnections(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return true;
        }
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < 0) {
            return false;
        }
        maxConnections = p.getIntValue();
        return true;
    }

    private boolean expectedVersion(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return true;
        }
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 1) {
            return false;
        }
        expectedVersion = p.getLongValue();
        return true;
    }

    /** Null, or a string of at most MAX_TEXT characters. */
    private static boolean optionalText(JsonParser p, JsonToken t) throws IOException {
        return t == JsonToken.VALUE_NULL || t == JsonToken.VALUE_STRING && p.getText().length() <= RegistrationRequest.MAX_TEXT;
    }
}
