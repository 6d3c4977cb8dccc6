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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

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
 * {@code put}. Until its task runs here and that scan is done a partition has no digest.
 *
 * <p>The scan runs on {@code hashing}, not on the stream thread: hashing a million entries takes
 * seconds, and on the stream thread it held every task (so readiness) back until it was done. The
 * task opens a store iterator when it starts, before it applies anything, and RocksDB iterators
 * read a point-in-time snapshot, so the scan sees exactly the store at the task's start position
 * while the puts applied meanwhile add their changes to the partition's digest; the sums commute,
 * so scan + changes is the digest at the applied position once the scan is added.
 */
final class ContentDigests {
    private final IndexDigest digest;
    // The changes staged by puts and not yet committed, per partition; each slot is touched only by its task's thread.
    private final IndexDigest staged;
    private final long[] positions;
    private final boolean[] running;
    private final AtomicReferenceArray<DigestingStore> stores;
    private final Executor hashing;
    /** Per partition, the scan of its running task: completes once its store's hash is in the digest. */
    private final List<CompletableFuture<Void>> scans = new ArrayList<>();

    /** {@code hashing} runs the store scans of tasks that start. */
    ContentDigests(int partitions, Executor hashing) {
        this.hashing = hashing;
        this.digest = new IndexDigest(partitions);
        this.staged = new IndexDigest(partitions);
        this.positions = new long[partitions];
        Arrays.fill(positions, -1);
        this.running = new boolean[partitions];
        this.stores = new AtomicReferenceArray<>(partitions);
        for (int p = 0; p < partitions; p++) {
            scans.add(new CompletableFuture<>());
        }
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
     * snapshots the store and hashes it on {@code hashing}. The stream thread, before the task applies anything.
     */
    void started(int partition, long position) {
        DigestingStore store = partition < stores.length() ? stores.get(partition) : null;
        if (store == null) {
            return;
        }
        DigestingStore.Snapshot snapshot = store.snapshot();
        CompletableFuture<Void> scan = new CompletableFuture<>();
        synchronized (this) {
            scans.get(partition).cancel(false);
            scans.set(partition, scan);
            digest.clear(partition);
            staged.clear(partition);
            // The store may hold less than before (restored from scratch, uncommitted work rolled back).
            positions[partition] = position;
            running[partition] = true;
        }
        hashing.execute(() -> hash(partition, snapshot, scan));
    }

    private void hash(int partition, DigestingStore.Snapshot snapshot, CompletableFuture<Void> scan) {
        IndexDigest scanned = new IndexDigest(1);
        try (snapshot) {
            snapshot.forEachEntry(hash -> scanned.add(0, hash), scan::isDone);
        } catch (InvalidStateStoreException closed) {
            // The task stopped and its store closed mid-scan: stopped() has ended this scan.
            return;
        }
        synchronized (this) {
            if (!scan.isDone()) {
                digest.merge(partition, scanned, 0);
                scan.complete(null);
            }
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
            scans.get(partition).cancel(false);
        }
    }

    /** Completes once the partitions of the first {@code partitions} that run here now are hashed (see {@link #read}). */
    synchronized CompletableFuture<Void> hashed(int partitions) {
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int p = 0; p < Math.min(partitions, scans.size()); p++) {
            running.add(scans.get(p));
        }
        return CompletableFuture.allOf(running.toArray(CompletableFuture[]::new));
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

    /**
     * The digest of the first {@code partitions} partitions, each at its position, once
     * {@link #missing} is empty; null while a partition's store is still being hashed.
     */
    synchronized ReplicaDigest read(int partitions) {
        for (int p = 0; p < partitions; p++) {
            if (p >= scans.size() || !scans.get(p).isDone() || scans.get(p).isCompletedExceptionally()) {
                return null;
            }
        }
        Map<Integer, PartitionDigest> out = new TreeMap<>();
        IndexDigest total = new IndexDigest(1);
        for (int p = 0; p < partitions; p++) {
            out.put(p, new PartitionDigest(digest.partitionHash(p), digest.partitionEntries(p), positions[p]));
            total.merge(0, digest, p);
        }
        return new ReplicaDigest(out, total.totalHash(), total.totalEntries());
    }
}
