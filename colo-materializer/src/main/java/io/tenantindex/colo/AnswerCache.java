package io.tenantindex.colo;

import io.tenantindex.colo.IndexReplica.EncodedEntry;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The encoded answers (JSON bytes and version) of recently read tenants, in front of the store: a
 * hit costs no RocksDB read, Avro decode or JSON encoding, which were most of an in-process lookup
 * (profiled: the RocksDB get alone was 8 µs at p50). RocksDB stays the store; this only remembers
 * what a read of it answered.
 *
 * <p>Bounded by a fixed number of slots (the byte bound over an estimated entry size), in sets of
 * {@value #WAYS} per tenant hash: a fill takes an empty slot of its set, and only every
 * {@value #REPLACE_EVERY}th fill that finds its set full replaces a random one, so a miss costs a few
 * array writes and no eviction bookkeeping (a byte-weighed LRU cost a miss more than the hit saved
 * once the index outgrew it, as with uniformly random tenants). Replacing on every miss bought no
 * hits with uniform tenants, and each replacement is a new answer for a young collection to copy
 * and promote (a colo's GC log under wrk: old generation 26 → 161 MB, young pauses copying
 * survivors, mixed collections); a tenant read often still gets in after a few misses.
 *
 * <p>Why it never answers older than the store: only a lookup that read the store fills a slot,
 * and only if no record was applied to the partition since just before that read ({@link #writes}),
 * checked under the set's lock; the stream thread counts each record, then drops the tenant's slot
 * under the same lock ({@link #applied}). So a fill that raced with a write either sees the count
 * move and stays out, or lands first and is dropped. A partition's slots are emptied when its task
 * starts or stops ({@link #reset}: a restore or an exactly-once rollback changes the store under
 * them), counted the same way. The slots' tenant hashes are kept beside them ({@link Partition#hashes})
 * only to skip slots that cannot match; an answer is always the slot's own entry, checked by tenant id.
 */
final class AnswerCache {
    /** What one cached answer costs in heap (key, entry, ~300 bytes of JSON, its slot): an estimate, for the bound. */
    static final int ENTRY_BYTES = 450;
    private static final int WAYS = 4;
    private static final int REPLACE_EVERY = 16;
    private static final int LOCKS = 64;

    private final Partition[] byPartition;
    private final AtomicLongArray writes;

    /** Room for partitions {@code 0 … partitions-1}; {@code maxBytes} below one entry per partition turns it off. */
    AnswerCache(int partitions, long maxBytes) {
        this.writes = new AtomicLongArray(partitions);
        long sets = maxBytes / ENTRY_BYTES / WAYS / Math.max(1, partitions);
        this.byPartition = new Partition[sets < 1 ? 0 : partitions];
        for (int p = 0; p < byPartition.length; p++) {
            byPartition[p] = new Partition((int) Math.min(sets, Integer.MAX_VALUE / WAYS));
        }
    }

    private boolean covers(int partition) {
        return partition < byPartition.length;
    }

    /** The cached answer of {@code tenantId} (of {@code partition}), or null. */
    EncodedEntry get(int partition, String tenantId) {
        if (!covers(partition)) {
            return null;
        }
        Partition p = byPartition[partition];
        int hash = tenantId.hashCode();
        // The entry found, not its slot read again: without the lock the slot may change meanwhile.
        Cached found = p.entry(p.firstSlot(hash), hash, tenantId);
        return found == null ? null : found.entry();
    }

    /** Take before reading the store; {@link #fill} compares it. */
    long writes(int partition) {
        return covers(partition) ? writes.get(partition) : -1;
    }

    /**
     * Remembers what a read of the store answered, unless a record was applied to the partition since
     * {@code writesBefore} (then the read may be older than the store). Returns the answer to give: the
     * one already cached if another lookup filled it first (so two lookups after one write agree),
     * else {@code read}.
     */
    EncodedEntry fill(int partition, String tenantId, long writesBefore, EncodedEntry read) {
        if (!covers(partition) || writesBefore < 0) {
            return read;
        }
        Partition p = byPartition[partition];
        int hash = tenantId.hashCode();
        int first = p.firstSlot(hash);
        synchronized (p.lockOf(first)) {
            if (writes.get(partition) != writesBefore) {
                return read;
            }
            int slot = p.find(first, hash, tenantId);
            if (slot >= 0) {
                return p.slots.get(slot).entry();
            }
            int victim = p.victim(first);
            if (victim >= 0) {
                p.put(victim, new Cached(hash, tenantId, read));
            }
            return read;
        }
    }

    /** The record of {@code tenantId} was applied to the partition's store; stream thread, before the position moves. */
    void applied(int partition, String tenantId) {
        if (!covers(partition)) {
            return;
        }
        writes.incrementAndGet(partition);
        Partition p = byPartition[partition];
        int hash = tenantId.hashCode();
        int first = p.firstSlot(hash);
        synchronized (p.lockOf(first)) {
            int slot = p.find(first, hash, tenantId);
            if (slot >= 0) {
                p.put(slot, null);
            }
        }
    }

    /** The partition's store is (re)opened or closed under its answers: drop them all. */
    void reset(int partition) {
        if (!covers(partition)) {
            return;
        }
        writes.incrementAndGet(partition);
        Partition p = byPartition[partition];
        for (int slot = 0; slot < p.slots.length(); slot++) {
            synchronized (p.lockOf(slot - slot % WAYS)) {
                p.put(slot, null);
            }
        }
    }

    private record Cached(int hash, String tenantId, EncodedEntry entry) {
    }

    /** One partition's sets of {@value #WAYS} slots, and the locks their fills and drops take. */
    private static final class Partition {
        final AtomicReferenceArray<Cached> slots;
        /**
         * Each slot's tenant hash, written with the slot under its set's lock: a set's hashes share a
         * cache line, so a lookup loads only the entries whose hash matches (profiled under wrk with
         * 1M tenants: the scan of a full set's four entries was the request threads' hottest method).
         * A hash read while its slot changes can only make a lookup miss or check an entry it then
         * rejects by tenant id.
         */
        final AtomicIntegerArray hashes;
        final Object[] locks = new Object[LOCKS];
        private final AtomicInteger fullSetFills = new AtomicInteger();
        private final int sets;

        Partition(int sets) {
            this.sets = sets;
            this.slots = new AtomicReferenceArray<>(sets * WAYS);
            this.hashes = new AtomicIntegerArray(sets * WAYS);
            for (int i = 0; i < LOCKS; i++) {
                locks[i] = new Object();
            }
        }

        int firstSlot(int hash) {
            // Spread the high bits: tenant ids differ mostly in their last characters.
            return Math.floorMod(hash ^ (hash >>> 16), sets) * WAYS;
        }

        Object lockOf(int firstSlot) {
            return locks[(firstSlot / WAYS) % LOCKS];
        }

        /** An empty slot of the set starting at {@code first}, else a random one every {@value #REPLACE_EVERY}th call, else -1. */
        int victim(int first) {
            for (int slot = first; slot < first + WAYS; slot++) {
                if (slots.get(slot) == null) {
                    return slot;
                }
            }
            return fullSetFills.incrementAndGet() % REPLACE_EVERY == 0 ? first + ThreadLocalRandom.current().nextInt(WAYS) : -1;
        }

        /** Under the set's lock. */
        void put(int slot, Cached entry) {
            hashes.set(slot, entry == null ? 0 : entry.hash());
            slots.set(slot, entry);
        }

        /** The slot of {@code tenantId} in the set starting at {@code first}, or -1. */
        int find(int first, int hash, String tenantId) {
            for (int slot = first; slot < first + WAYS; slot++) {
                if (entryIn(slot, hash, tenantId) != null) {
                    return slot;
                }
            }
            return -1;
        }

        /** The entry of {@code tenantId} in the set starting at {@code first}, or null. */
        Cached entry(int first, int hash, String tenantId) {
            for (int slot = first; slot < first + WAYS; slot++) {
                Cached c = entryIn(slot, hash, tenantId);
                if (c != null) {
                    return c;
                }
            }
            return null;
        }

        private Cached entryIn(int slot, int hash, String tenantId) {
            if (hashes.get(slot) != hash) {
                return null;
            }
            Cached c = slots.get(slot);
            return c != null && c.hash() == hash && c.tenantId().equals(tenantId) ? c : null;
        }
    }
}
