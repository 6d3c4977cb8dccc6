package io.tenantindex.writer;

import io.tenantindex.common.IndexDigest;
import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.schemas.TenantRegistration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The writer's authoritative view of the index: the live registration of every tenant, the last
 * version of every deregistered tenant still covered by a tombstone (so a re-registration continues
 * the version sequence), the applied position per partition and the digest at that position.
 * Written only by the writer thread (and the replay before it starts); read by HTTP threads.
 */
final class TenantView {
    private final int partitions;
    private final Map<String, TenantRegistration> live = new ConcurrentHashMap<>();
    private final Map<String, Long> deletedVersions = new ConcurrentHashMap<>();
    private final long[] nextOffsets;
    private final IndexDigest digest;

    TenantView(int partitions) {
        this.partitions = partitions;
        this.nextOffsets = new long[partitions];
        this.digest = new IndexDigest(partitions);
    }

    int partitions() {
        return partitions;
    }

    TenantRegistration get(String tenantId) {
        return live.get(tenantId);
    }

    /** The live version, 0 when the tenant is not registered. */
    long currentVersion(String tenantId) {
        TenantRegistration r = live.get(tenantId);
        return r == null ? 0 : r.getVersion();
    }

    /** The highest version ever written for the tenant that we still know of (live or tombstoned). */
    long lastVersion(String tenantId) {
        TenantRegistration r = live.get(tenantId);
        return r != null ? r.getVersion() : deletedVersions.getOrDefault(tenantId, 0L);
    }

    int size() {
        return live.size();
    }

    /** Applies a record read from, or just committed to, partition/offset. {@code value} null = tombstone. */
    void apply(String tenantId, TenantRegistration value, long tombstoneVersion, int partition, long offset) {
        long previous = currentVersion(tenantId);
        synchronized (digest) {
            digest.replace(partition, tenantId, previous, value == null ? 0 : value.getVersion());
            nextOffsets[partition] = Math.max(nextOffsets[partition], offset + 1);
        }
        if (value == null) {
            live.remove(tenantId);
            deletedVersions.merge(tenantId, Math.max(tombstoneVersion, previous), Math::max);
        } else {
            live.put(tenantId, value);
            deletedVersions.remove(tenantId);
        }
    }

    /** Moves the applied position past offsets that carry no record (transaction markers). */
    void advanceTo(int partition, long nextOffset) {
        synchronized (digest) {
            nextOffsets[partition] = Math.max(nextOffsets[partition], nextOffset);
        }
    }

    long nextOffset(int partition) {
        synchronized (digest) {
            return nextOffsets[partition];
        }
    }

    int partitionOf(String tenantId) {
        return IndexPartitioner.partitionFor(tenantId, partitions);
    }

    /** A consistent copy of the digest and the positions it was taken at. */
    DigestSnapshot digest() {
        synchronized (digest) {
            return new DigestSnapshot(digest.totalHash(), digest.totalEntries(), digest.perPartition(), nextOffsets.clone());
        }
    }

    record DigestSnapshot(String hash, long entries, Map<String, Map<String, Object>> partitions, long[] positions) {
    }
}
