package io.tenantindex.common;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A position in the tenant-index topic that a write was acknowledged at: the record's partition and
 * offset. Encoded opaquely (URL-safe base64 of {@code v1:<topic>:<partition>:<offset>}) so clients
 * treat it as a blob, while a token minted for another topic is recognised and rejected.
 */
public record ConsistencyToken(String topic, int partition, long offset) {
    private static final String VERSION = "v1";

    public ConsistencyToken {
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("partition and offset must be non-negative");
        }
    }

    public String encode() {
        String raw = VERSION + ":" + topic + ":" + partition + ":" + offset;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a token for {@code expectedTopic}; anything else is INVALID_TOKEN (400). */
    public static ConsistencyToken decode(String encoded, String expectedTopic) {
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("consistency token is not URL-safe base64");
        }
        // The topic name cannot contain ':' (Kafka allows [a-zA-Z0-9._-]), so a plain split is exact.
        String[] parts = raw.split(":", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw invalid("consistency token is malformed");
        }
        if (!parts[1].equals(expectedTopic)) {
            throw invalid("consistency token belongs to another index topic");
        }
        try {
            return new ConsistencyToken(parts[1], Integer.parseInt(parts[2]), Long.parseLong(parts[3]));
        } catch (IllegalArgumentException e) {
            throw invalid("consistency token has a bad partition or offset");
        }
    }

    private static TenantIndexException invalid(String message) {
        return new TenantIndexException(ErrorType.INVALID_TOKEN, message);
    }
}
