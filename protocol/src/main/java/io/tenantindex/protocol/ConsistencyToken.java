package io.tenantindex.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Positions in the tenant-index topic that a client's writes were acknowledged at: for each
 * partition it wrote to, the offset of its last record there. One token carries a whole session
 * (every write answer merges the token the request carried), and a colo answers a tokened lookup
 * once it has applied every partition's offset.
 *
 * <p>Encoded (v2) as URL-safe base64 without padding of the bytes {@code 0x02}, the topic's
 * fingerprint (the first 4 bytes of SHA-256 of its UTF-8 name), varint partition count, varint
 * number of entries, then per entry in ascending partition order varint partition and varint
 * offset (unsigned LEB128). The fingerprint and the count let a colo reject a token minted for
 * another topic or for a topic with another partition count. The older v1 form (base64 of
 * {@code v1:<topic>:<partition>:<offset>}) is still read, as a one-entry token.
 *
 * @param offsets partition → offset of the last acknowledged record there; never empty
 */
public record ConsistencyToken(String topic, int partitions, NavigableMap<Integer, Long> offsets) {
    // The topic name cannot contain ':' (Kafka allows [a-zA-Z0-9._-]), so it is a plain v1 field.
    private static final VersionedCodec V1 = new VersionedCodec("v1", 3);
    private static final byte V2 = 2;
    private static final int FINGERPRINT_BYTES = 4;
    /** A change feed encodes a token per event: the topic's hash is computed once (there are one or two topics). */
    private static final Map<String, byte[]> FINGERPRINTS = new ConcurrentHashMap<>();

    public ConsistencyToken {
        if (partitions < 1 || offsets.isEmpty()) {
            throw new IllegalArgumentException("a token names at least one partition of a topic with at least one");
        }
        for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
            if (e.getKey() < 0 || e.getKey() >= partitions || e.getValue() < 0) {
                throw new IllegalArgumentException("partition " + e.getKey() + " offset " + e.getValue()
                        + " is not a position in a topic of " + partitions + " partitions");
            }
        }
        offsets = Collections.unmodifiableNavigableMap(new TreeMap<>(offsets));
    }

    /** The token of one write: {@code offset} of {@code partition} in {@code topic} of {@code partitions}. */
    public static ConsistencyToken of(String topic, int partitions, int partition, long offset) {
        return new ConsistencyToken(topic, partitions, new TreeMap<>(Map.of(partition, offset)));
    }

    /**
     * The token covering both: per partition the larger offset. Tokens of different topics or
     * partition counts cannot be merged (INVALID_TOKEN, 400).
     */
    public ConsistencyToken merge(ConsistencyToken other) {
        if (!topic.equals(other.topic) || partitions != other.partitions) {
            throw invalid("consistency tokens of different topics or partition counts cannot be merged");
        }
        NavigableMap<Integer, Long> merged = new TreeMap<>(offsets);
        other.offsets.forEach((partition, offset) -> merged.merge(partition, offset, Math::max));
        return new ConsistencyToken(topic, partitions, merged);
    }

    public String encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(V2);
        out.writeBytes(fingerprint(topic));
        writeVarint(out, partitions);
        writeVarint(out, offsets.size());
        offsets.forEach((partition, offset) -> {
            writeVarint(out, partition);
            writeVarint(out, offset);
        });
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    }

    /**
     * Parses a v2 or v1 token for {@code expectedTopic} of {@code expectedPartitions} partitions;
     * anything else (malformed, another topic, another partition count, a partition the topic does
     * not have) is INVALID_TOKEN (400).
     */
    public static ConsistencyToken decode(String encoded, String expectedTopic, int expectedPartitions) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw invalid("consistency token is not URL-safe base64");
        }
        return raw.length > 0 && raw[0] == V2
                ? decodeV2(ByteBuffer.wrap(raw, 1, raw.length - 1), expectedTopic, expectedPartitions)
                : decodeV1(encoded, expectedTopic, expectedPartitions);
    }

    private static ConsistencyToken decodeV2(ByteBuffer in, String expectedTopic, int expectedPartitions) {
        if (in.remaining() < FINGERPRINT_BYTES) {
            throw invalid("consistency token is malformed");
        }
        byte[] fingerprint = new byte[FINGERPRINT_BYTES];
        in.get(fingerprint);
        if (!Arrays.equals(fingerprint, fingerprint(expectedTopic))) {
            throw invalid("consistency token belongs to another index topic");
        }
        long partitions = readVarint(in);
        if (partitions != expectedPartitions) {
            throw invalid("consistency token is for a topic of " + partitions + " partitions, but " + expectedTopic
                    + " has " + expectedPartitions);
        }
        long entries = readVarint(in);
        if (entries < 1 || entries > partitions) {
            throw invalid("consistency token is malformed");
        }
        NavigableMap<Integer, Long> offsets = new TreeMap<>();
        long previous = -1;
        for (long i = 0; i < entries; i++) {
            long partition = readVarint(in);
            if (partition <= previous || partition >= partitions) {
                throw invalid("consistency token names partition " + partition + " out of order or beyond "
                        + expectedTopic + "'s " + partitions);
            }
            offsets.put((int) partition, readVarint(in));
            previous = partition;
        }
        if (in.hasRemaining()) {
            throw invalid("consistency token is malformed");
        }
        return new ConsistencyToken(expectedTopic, expectedPartitions, offsets);
    }

    private static ConsistencyToken decodeV1(String encoded, String expectedTopic, int expectedPartitions) {
        String[] parts = V1.decode(encoded, reason -> invalid("consistency token " + reason));
        if (!parts[0].equals(expectedTopic)) {
            throw invalid("consistency token belongs to another index topic");
        }
        int partition;
        long offset;
        try {
            partition = Integer.parseInt(parts[1]);
            offset = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            throw invalid("consistency token has a bad partition or offset");
        }
        if (partition < 0 || offset < 0) {
            throw invalid("consistency token has a bad partition or offset");
        }
        if (partition >= expectedPartitions) {
            throw invalid("consistency token names partition " + partition + " but " + expectedTopic + " has " + expectedPartitions);
        }
        return of(expectedTopic, expectedPartitions, partition, offset);
    }

    private static byte[] fingerprint(String topic) {
        return FINGERPRINTS.computeIfAbsent(topic, ConsistencyToken::hash);
    }

    private static byte[] hash(String topic) {
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(topic.getBytes(StandardCharsets.UTF_8)), FINGERPRINT_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            out.write((int) (rest & 0x7F) | 0x80);
            rest >>>= 7;
        }
        out.write((int) rest);
    }

    /** An unsigned LEB128 of at most 9 bytes (63 bits, a non-negative long); a longer one is out of range. */
    private static long readVarint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            if (!in.hasRemaining()) {
                throw invalid("consistency token is truncated");
            }
            byte b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw invalid("consistency token has a number out of range");
    }

    private static TenantIndexException invalid(String message) {
        return new TenantIndexException(ErrorType.INVALID_TOKEN, message);
    }
}
