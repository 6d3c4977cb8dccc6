package io.tenantindex.colo;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The stored values (topic bytes, which {@link AnswerTranscoder} turns into answers) of a colo's
 * tenants, in front of the store: filled from the whole store when a task starts
 * ({@link LiveStores}) and by lookups that read the store. A hit costs no RocksDB read, which was most of a lookup that
 * missed (1M tenants under wrk: 64 µs of colo CPU per lookup with four in five missing a cache of
 * encoded answers, 27 µs with 1,000 tenants that all hit it). RocksDB stays the store; this only
 * remembers what a read of it answered. A value is kept rather than its JSON answer because it is
 * less than half the size (about 130 against 280 bytes), so that the whole index of a colo with a
 * million tenants fits in the default bound; and a value holds its tenant id, so an entry is one
 * array and nothing else.
 *
 * <p>Bounded in bytes (each value's length plus {@value #ENTRY_OVERHEAD} for its array and slot),
 * in sets of {@value #WAYS} slots per tenant hash: a fill takes an empty slot of its set, and only
 * every {@value #REPLACE_EVERY}th fill that finds its set full replaces a random one, so a miss costs a few
 * array writes and no eviction bookkeeping (a byte-weighed LRU cost a miss more than the hit saved
 * once the index outgrew it, as with uniformly random tenants). Replacing on every miss bought no
 * hits with uniform tenants, and each replacement is a new entry for a young collection to copy
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
 * only to skip slots that cannot match; an answer is always the slot's own value, checked by tenant id.
 */
final class AnswerCache {
    /** What an entry costs in heap beside its value's bytes: the array's header, its slot and the slot's hash. */
    static final int ENTRY_OVERHEAD = 24;
    /**
     * Bytes of the bound per slot: about half what a value takes with its {@link #ENTRY_OVERHEAD}
     * (the doId alone is 64 bytes), so the bytes, not the slots, bound what is held, and a full
     * cache leaves most slots empty. With sets of {@value #WAYS}, at the default bound's bytes per
     * tenant of a million, 0.03 % of random tenants find their set full ({@code AnswerCacheTest});
     * sets of 4 at 96 bytes left 3 % out (the bench's hit ratio), and those misses, each a RocksDB
     * read, were the in-process lookup's p99. A slot costs 8 bytes of heap (its reference and hash).
     */
    static final int SLOT_BYTES = 64;
    /** The most of the heap a cache takes whatever its setting: the colo's other live data needs the rest. */
    static final double MAX_HEAP_SHARE = 0.4;
    static final int WAYS = 8;
    private static final int REPLACE_EVERY = 16;
    private static final int LOCKS = 64;

    private final Partition[] byPartition;
    private final AtomicLongArray writes;
    private final long maxBytes;
    /** Bytes of the values held, each with its {@link #ENTRY_OVERHEAD}; changed under a set's lock. */
    private final AtomicLong held = new AtomicLong();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** Room for partitions {@code 0 … partitions-1}; {@code maxBytes} below a set of slots per partition turns it off. */
    AnswerCache(int partitions, long maxBytes) {
        this(partitions, maxBytes, maxBytes / SLOT_BYTES);
    }

    /** With {@code slots} in all (for tests of a full set; otherwise they follow from the bound). */
    AnswerCache(int partitions, long maxBytes, long slots) {
        this.writes = new AtomicLongArray(partitions);
        this.maxBytes = maxBytes;
        long sets = slots / WAYS / Math.max(1, partitions);
        this.byPartition = new Partition[sets < 1 ? 0 : partitions];
        for (int p = 0; p < byPartition.length; p++) {
            byPartition[p] = new Partition((int) Math.min(sets, Integer.MAX_VALUE / WAYS));
        }
    }

    /** The bound a cache set to {@code configured} bytes gets in a heap of {@code maxHeap} bytes. */
    static long boundWithin(long configured, long maxHeap) {
        return Math.min(configured, (long) (maxHeap * MAX_HEAP_SHARE));
    }

    private boolean covers(int partition) {
        return partition < byPartition.length;
    }

    /** The cached value of {@code tenantId} (of {@code partition}), or null. */
    byte[] get(int partition, String tenantId) {
        if (!covers(partition)) {
            return null;
        }
        Partition p = byPartition[partition];
        int hash = tenantId.hashCode();
        // The entry found, not its slot read again: without the lock the slot may change meanwhile.
        byte[] found = p.entry(p.firstSlot(hash), hash, tenantId);
        (found == null ? misses : hits).increment();
        return found;
    }

    /** Take before reading the store; {@link #fill} compares it. */
    long writes(int partition) {
        return covers(partition) ? writes.get(partition) : -1;
    }

    /**
     * Remembers the value a read of the store found (of a layout {@link AnswerTranscoder} reads),
     * unless a record was applied to the partition since {@code writesBefore} (then the read may be
     * older than the store), or it would take the cache over its bound. Returns the value to answer
     * with: the one already cached if another lookup filled it first (so two lookups after one write
     * agree), else {@code read}.
     */
    byte[] fill(int partition, String tenantId, long writesBefore, byte[] read) {
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
                return p.slots.get(slot);
            }
            int victim = p.victim(first);
            if (victim >= 0 && held.get() + bytesOf(read) - bytesOf(p.slots.get(victim)) <= maxBytes) {
                put(p, victim, hash, read);
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
                put(p, slot, 0, null);
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
                put(p, slot, 0, null);
            }
        }
    }

    /** Whether another value of a typical size would still fit. */
    boolean hasRoom() {
        return byPartition.length > 0 && held.get() + SLOT_BYTES <= maxBytes;
    }

    /** Bytes of the values held, with their overhead (at most the bound). */
    long heldBytes() {
        return held.get();
    }

    /** Lookups of a partition it covers that it answered. */
    long hits() {
        return hits.sum();
    }

    /** Lookups of a partition it covers that it did not hold. */
    long misses() {
        return misses.sum();
    }

    /** Under the set's lock. */
    private void put(Partition p, int slot, int hash, byte[] value) {
        held.addAndGet(bytesOf(value) - bytesOf(p.slots.get(slot)));
        p.hashes.set(slot, hash);
        p.slots.set(slot, value);
    }

    private static long bytesOf(byte[] value) {
        return value == null ? 0 : value.length + ENTRY_OVERHEAD;
    }

    /** One partition's sets of {@value #WAYS} slots, and the locks their fills and drops take. */
    private static final class Partition {
        final AtomicReferenceArray<byte[]> slots;
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

        /** The slot of {@code tenantId} in the set starting at {@code first}, or -1. */
        int find(int first, int hash, String tenantId) {
            for (int slot = first; slot < first + WAYS; slot++) {
                if (entryIn(slot, hash, tenantId) != null) {
                    return slot;
                }
            }
            return -1;
        }

        /** The value of {@code tenantId} in the set starting at {@code first}, or null. */
        byte[] entry(int first, int hash, String tenantId) {
            for (int slot = first; slot < first + WAYS; slot++) {
                byte[] c = entryIn(slot, hash, tenantId);
                if (c != null) {
                    return c;
                }
            }
            return null;
        }

        private byte[] entryIn(int slot, int hash, String tenantId) {
            if (hashes.get(slot) != hash) {
                return null;
            }
            byte[] value = slots.get(slot);
            return value != null && AnswerTranscoder.isOf(value, tenantId) ? value : null;
        }
    }
}
