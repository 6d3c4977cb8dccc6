package io.tenantindex.colo;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.tenantindex.common.Json;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.protocol.TenantEntry;
import io.tenantindex.schemas.TenantJson;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the lookup API needs from a colo's local replica. {@link RebuildableReplica} implements it over
 * Kafka Streams interactive queries; route tests implement it in memory, without a broker.
 *
 * <p>Failures are {@code TenantIndexException}s: 503 (+ Retry-After) when the store cannot be read
 * right now, 503 NOT_UP_TO_BOUND when a token's position was not reached in time, 400 INVALID_TOKEN
 * for a token that cannot belong to this index, 500 when the tenant's latest record is undecodable.
 */
public interface IndexReplica {
    String colo();

    /** The index topic's partition count as this replica reads it: a consistency token must be for this count. */
    int partitions();

    /**
     * The tenant's current registration from this instance's active, caught-up task of its
     * partition; 503 NOT_READY when no such task runs here.
     */
    Read lookup(String tenantId);

    /**
     * {@link #lookup}'s answer as the lookup API sends it, from the encoded answers of recently read
     * tenants where it can. The default encodes {@link #lookup}'s registration.
     */
    default EncodedRead lookupEncoded(String tenantId) {
        Read read = lookup(tenantId);
        return new EncodedRead(read.registration().map(EncodedEntry::of), read.behind());
    }

    /** Like {@link #lookup}, but also from a store that is restoring (possibly behind): for serve-stale. */
    Read lookupStale(String tenantId);

    /**
     * Like {@link #lookup} but answered only once the replica has applied the token's offset of every
     * partition it names, or failed with NOT_UP_TO_BOUND after {@code maxWait}. Never blocks the calling thread.
     */
    CompletableFuture<Read> lookupAtLeast(String tenantId, ConsistencyToken token, Duration maxWait);

    /** Cheap (called on every lookup): readiness, degraded state, lag and staleness. */
    ReplicaState state();

    /** Fuller figures for /stats and /health (may touch the store). */
    ReplicaStats stats();

    /** Up to {@code limit} registrations with tenant ids strictly after {@code after} (null = from the start), in id order. */
    TenantPage page(String after, int limit);

    /**
     * Per-partition content hash of (tenant id, value bytes) at the applied position, kept as records
     * are applied (O(1) to read); 503 NOT_READY while some partition's task does not run here.
     */
    ReplicaDigest digest();

    /**
     * RESTORING until first caught up; READY; REBALANCING when it was ready and now lacks a running
     * task of some partition (until that partition runs here again); DEGRADED while Kafka is unreachable.
     */
    enum Phase { RESTORING, READY, REBALANCING, DEGRADED }

    /**
     * @param lag           records the replica is behind Kafka (consumer fetch lag; -1 unknown)
     * @param stalenessMs   ms since the replica was last known to be current (lag 0 at an end-offset check)
     * @param degradedSince when Kafka became unreachable, null when it is reachable
     */
    record ReplicaState(Phase phase, boolean ready, long lag, long stalenessMs, Instant degradedSince, String degradedReason) {
        public boolean degraded() {
            return degradedSince != null;
        }
    }

    /**
     * @param position       partition → offset of the last applied record
     * @param reReadRecords  records read from Kafka since this process started (restored + processed)
     */
    record ReplicaStats(String colo, ReplicaState state, long entries, Map<Integer, Long> position,
                        Map<Integer, Long> lagByPartition, Instant lastAppliedAt, long poisonRecords,
                        long restoredRecords, long restoreTotal, long reReadRecords) {
    }

    /**
     * A lookup's answer: the registration, empty if unknown or deregistered. {@code behind}: it was
     * read from a store that may be behind what this colo already answered from (a store restored
     * or rolled back and not yet caught up again, or a restoring store read for serve-stale).
     */
    record Read(Optional<TenantRegistration> registration, boolean behind) {
    }

    /** A lookup's answer encoded: {@link Read} with the entry as JSON. */
    record EncodedRead(Optional<EncodedEntry> entry, boolean behind) {
    }

    /** A registration as the lookup API answers it: the JSON of its {@code TenantEntry}, and its version (the ETag). */
    record EncodedEntry(byte[] json, long version) {
        /** Bytes of a typical answer, so that encoding one rarely grows its buffer. */
        private static final int ENCODED_SIZE_HINT = 320;

        /**
         * The same bytes as {@link #of(TenantEntry)} of {@link TenantJson#of}, written field by field.
         * Why: most lookups of a large index miss the answer cache and encode here, and the mapper's
         * way (a contract record built, then serialized by reflection) was a seventh of a lookup's CPU
         * and a sixth of its allocation under HTTP load.
         */
        public static EncodedEntry of(TenantRegistration registration) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(ENCODED_SIZE_HINT);
            try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
                TenantMetadata metadata = registration.getMetadata();
                json.writeStartObject();
                json.writeStringField("tenantId", registration.getTenantId());
                json.writeStringField("doId", registration.getDoId());
                json.writeStringField("coloHint", registration.getColoHint());
                json.writeNumberField("version", registration.getVersion());
                json.writeObjectFieldStart("metadata");
                json.writeStringField("tier", metadata.getTier().name());
                json.writeArrayFieldStart("features");
                for (String feature : metadata.getFeatures()) {
                    json.writeString(feature);
                }
                json.writeEndArray();
                Integer maxConnections = metadata.getMaxConnections();
                if (maxConnections == null) {
                    json.writeNullField("maxConnections");
                } else {
                    json.writeNumberField("maxConnections", maxConnections);
                }
                json.writeStringField("region", metadata.getRegion());
                json.writeEndObject();
                json.writeNumberField("registeredAt", registration.getRegisteredAt());
                json.writeNumberField("updatedAt", registration.getUpdatedAt());
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException("writing to memory cannot fail", e);
            }
            return new EncodedEntry(out.toByteArray(), registration.getVersion());
        }

        public static EncodedEntry of(TenantEntry entry) {
            try {
                return new EncodedEntry(Json.MAPPER.writeValueAsBytes(entry), entry.version());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a tenant entry always serializes", e);
            }
        }
    }

    record TenantPage(List<TenantRegistration> items, String nextCursor) {
    }

    /** {@code position} = offset of the last applied record of the partition when it was hashed (-1 none). */
    record PartitionDigest(String hash, long entries, long position) {
    }

    record ReplicaDigest(Map<Integer, PartitionDigest> partitions, String totalHash, long totalEntries) {
    }
}
