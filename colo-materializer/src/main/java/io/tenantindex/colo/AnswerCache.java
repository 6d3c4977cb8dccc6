package io.tenantindex.colo;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tenantindex.colo.IndexReplica.EncodedEntry;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The encoded answers (JSON bytes and version) of recently read tenants, in front of the store, bounded
 * in bytes (split evenly between the partitions): a hit costs no RocksDB read, Avro decode or JSON encoding, which were most of an
 * in-process lookup (profiled: the RocksDB get alone was 8 µs at p50). RocksDB stays the store;
 * this only remembers what a read of it answered.
 *
 * <p>Why it never answers older than the store: only a lookup that read the store fills an entry,
 * and only if no record was applied to the partition since just before that read
 * ({@link #writes(int)}, checked atomically with the insertion); the stream thread counts each
 * record before it drops the tenant's entry ({@link #applied}). So a fill that raced with a write
 * either sees the count move and stays out, or lands before the drop and is dropped. A partition's
 * entries go when its task starts or stops ({@link #reset}: a restore or an exactly-once rollback
 * changes the store under them), counted the same way. Evicting is always safe.
 */
final class AnswerCache {
    /** A cache entry's bytes beyond its JSON: key, entry and map node (an estimate, for the bound). */
    private static final int ENTRY_OVERHEAD_BYTES = 120;

    /** By partition; empty when the cache is off. */
    private final Cache<String, EncodedEntry>[] byPartition;
    private final AtomicLongArray writes;

    /** Room for partitions {@code 0 … partitions-1}; {@code maxBytes} 0 turns it off. */
    @SuppressWarnings("unchecked")
    AnswerCache(int partitions, long maxBytes) {
        this.writes = new AtomicLongArray(partitions);
        this.byPartition = new Cache[maxBytes <= 0 ? 0 : partitions];
        for (int p = 0; p < byPartition.length; p++) {
            byPartition[p] = Caffeine.newBuilder()
                    .maximumWeight(Math.max(1, maxBytes / partitions))
                    .weigher((String id, EncodedEntry e) -> ENTRY_OVERHEAD_BYTES + 2 * id.length() + e.json().length)
                    // Maintenance on the caller's thread: no pool task per write on a 2-core colo.
                    .executor(Runnable::run)
                    .build();
        }
    }

    private boolean covers(int partition) {
        return partition < byPartition.length;
    }

    /** The cached answer of {@code tenantId} (of {@code partition}), or null. */
    EncodedEntry get(int partition, String tenantId) {
        return covers(partition) ? byPartition[partition].getIfPresent(tenantId) : null;
    }

    /** Take before reading the store; {@link #fill} compares it. */
    long writes(int partition) {
        return covers(partition) ? writes.get(partition) : -1;
    }

    /**
     * Remembers what a read of the store answered, unless a record was applied to the partition since
     * {@code writesBefore} (then the read may be older than the store). Returns the answer to give: the
     * entry already cached if another lookup filled it first (so two lookups after one write agree),
     * else {@code read}.
     */
    EncodedEntry fill(int partition, String tenantId, long writesBefore, EncodedEntry read) {
        if (!covers(partition) || writesBefore < 0) {
            return read;
        }
        EncodedEntry answer = byPartition[partition].asMap().compute(tenantId, (id, cached) ->
                cached != null ? cached : writes.get(partition) == writesBefore ? read : null);
        return answer == null ? read : answer;
    }

    /** The record of {@code tenantId} was applied to the partition's store; stream thread, before the position moves. */
    void applied(int partition, String tenantId) {
        if (covers(partition)) {
            writes.incrementAndGet(partition);
            byPartition[partition].invalidate(tenantId);
        }
    }

    /** The partition's store is (re)opened or closed under its entries: drop them all. */
    void reset(int partition) {
        if (covers(partition)) {
            writes.incrementAndGet(partition);
            byPartition[partition].invalidateAll();
        }
    }
}
