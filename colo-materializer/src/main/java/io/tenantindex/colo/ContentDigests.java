package io.tenantindex.colo;

import io.tenantindex.colo.IndexReplica.PartitionDigest;
import io.tenantindex.colo.IndexReplica.ReplicaDigest;
import io.tenantindex.common.IndexDigest;
import io.tenantindex.common.IndexDigest.EntryHash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The content digest of every partition whose task runs in this instance, kept as records are
 * applied so that reading it costs nothing: {@link DigestingStore} stages each put's change (the old
 * entry's hash out, the new one's in), and the partition's {@link ApplyProcessor} commits it together
 * with the record's offset, so a digest and its position always belong together.
 *
 * <p>Why a scan at task start: restores (warm-restart catch-up, a lost state directory, a bulk
 * restore of a new group, a task moving here) copy topic bytes into RocksDB without going through
 * the store's {@code put}, so no staged change sees them. A task's processor starts only once its
 * restore is done, and then hashes the whole store once; from then on every record goes through
 * {@code put}. Until its task runs here a partition has no digest.
 */
final class ContentDigests {
    private final IndexDigest digest;
    // The changes staged by puts and not yet committed, per partition; each slot is touched only by its task's thread.
    private final IndexDigest staged;
    private final long[] positions;
    private final boolean[] running;
    private final AtomicReferenceArray<DigestingStore> stores;

    ContentDigests(int partitions) {
        this.digest = new IndexDigest(partitions);
        this.staged = new IndexDigest(partitions);
        this.positions = new long[partitions];
        Arrays.fill(positions, -1);
        this.running = new boolean[partitions];
        this.stores = new AtomicReferenceArray<>(partitions);
    }

    /** The store of {@code partition} was opened here (its task may still be restoring). */
    void opened(int partition, DigestingStore store) {
        if (partition < stores.length()) {
            stores.set(partition, store);
        }
    }

    void closed(int partition, DigestingStore store) {
        if (partition < stores.length()) {
            stores.compareAndSet(partition, store, null);
        }
    }

    /** A put on the partition's store replaced {@code before} by {@code after} (null = absent); stream thread only. */
    void staged(int partition, EntryHash before, EntryHash after) {
        if (partition < stores.length()) {
            staged.replace(partition, before, after);
        }
    }

    /**
     * The partition's task runs, its store restored and holding everything up to {@code position}:
     * hashes the whole store once.
     */
    void started(int partition, long position) {
        DigestingStore store = partition < stores.length() ? stores.get(partition) : null;
        if (store == null) {
            return;
        }
        IndexDigest scanned = new IndexDigest(1);
        store.forEachEntry(hash -> scanned.add(0, hash));
        synchronized (this) {
            digest.clear(partition);
            digest.merge(partition, scanned, 0);
            staged.clear(partition);
            // The store may hold less than before (restored from scratch, uncommitted work rolled back).
            positions[partition] = position;
            running[partition] = true;
        }
    }

    /** The record at {@code offset} went through the partition's store: its staged change counts from now on. */
    void applied(int partition, long offset) {
        if (partition >= stores.length()) {
            return;
        }
        synchronized (this) {
            digest.merge(partition, staged, partition);
            staged.clear(partition);
            positions[partition] = Math.max(positions[partition], offset);
        }
    }


    /** The partition's task stopped running here: its digest is unknown until it runs here again. */
    synchronized void stopped(int partition) {
        if (partition < running.length) {
            running[partition] = false;
        }
    }

    /** The partitions of the first {@code partitions} that have no digest here now. */
    synchronized List<Integer> missing(int partitions) {
        List<Integer> missing = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            if (p >= running.length || !running[p]) {
                missing.add(p);
            }
        }
        return missing;
    }

    /** The digest of the first {@code partitions} partitions, each at its position; only when {@link #missing} is empty. */
    synchronized ReplicaDigest read(int partitions) {
        Map<Integer, PartitionDigest> out = new TreeMap<>();
        IndexDigest total = new IndexDigest(1);
        for (int p = 0; p < partitions; p++) {
            out.put(p, new PartitionDigest(digest.partitionHash(p), digest.partitionEntries(p), positions[p]));
            total.merge(0, digest, p);
        }
        return new ReplicaDigest(out, total.totalHash(), total.totalEntries());
    }
}
