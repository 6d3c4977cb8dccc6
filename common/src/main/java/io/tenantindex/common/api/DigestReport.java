package io.tenantindex.common.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * {@code GET /digest} of the writer ({@code source: "writer"}) or of a colo ({@code source: "colo"},
 * with {@code colo} and {@code ready}): the order-independent content hash of the index, per
 * partition ({@code IndexDigest}: tenant ids and value bytes, so other content at the same version
 * shows), and the positions it was taken at. Two sides whose positions on a partition are equal
 * have read the same records there, so their hashes must be equal too. Both keep it as records are
 * applied: reading it is O(1).
 *
 * @param positions partition → offset of the last record applied to that partition when it was
 *                  hashed (-1: none yet); the same meaning on the writer and on the colos, and the
 *                  offset a consistency token carries
 */
public record DigestReport(String source,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String colo,
                           @JsonInclude(JsonInclude.Include.NON_NULL) Boolean ready,
                           String digest, long entries, Map<Integer, Partition> partitions, Map<Integer, Long> positions) {
    public DigestReport {
        partitions = PartitionMaps.copy(partitions);
        positions = PartitionMaps.copy(positions);
    }

    public static DigestReport ofWriter(String digest, long entries, Map<Integer, Partition> partitions,
                                        Map<Integer, Long> positions) {
        return new DigestReport("writer", null, null, digest, entries, partitions, positions);
    }

    public static DigestReport ofColo(String colo, boolean ready, String digest, long entries,
                                      Map<Integer, Partition> partitions, Map<Integer, Long> positions) {
        return new DigestReport("colo", colo, ready, digest, entries, partitions, positions);
    }

    /** The position of {@code partition}; -1 when the report has none. */
    public long position(int partition) {
        return positions.getOrDefault(partition, -1L);
    }

    /** One partition's hash (hex) and live entry count. */
    public record Partition(String hash, long entries) {
    }
}
