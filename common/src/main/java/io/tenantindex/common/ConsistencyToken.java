package io.tenantindex.common;

/**
 * A position in the tenant-index topic that a write was acknowledged at: the record's partition and
 * offset. Encoded opaquely (URL-safe base64 of {@code v1:<topic>:<partition>:<offset>}) so clients
 * treat it as a blob, while a token minted for another topic is recognised and rejected.
 */
public record ConsistencyToken(String topic, int partition, long offset) {
    // The topic name cannot contain ':' (Kafka allows [a-zA-Z0-9._-]), so it is a plain field.
    private static final VersionedCodec V1 = new VersionedCodec("v1", 3);

    public ConsistencyToken {
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("partition and offset must be non-negative");
        }
    }

    public String encode() {
        return V1.encode(topic, partition, offset);
    }

    /** Parses a token for {@code expectedTopic}; anything else is INVALID_TOKEN (400). */
    public static ConsistencyToken decode(String encoded, String expectedTopic) {
        String[] parts = V1.decode(encoded, reason -> invalid("consistency token " + reason));
        if (!parts[0].equals(expectedTopic)) {
            throw invalid("consistency token belongs to another index topic");
        }
        try {
            return new ConsistencyToken(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
        } catch (IllegalArgumentException e) {
            throw invalid("consistency token has a bad partition or offset");
        }
    }

    private static TenantIndexException invalid(String message) {
        return new TenantIndexException(ErrorType.INVALID_TOKEN, message);
    }
}
