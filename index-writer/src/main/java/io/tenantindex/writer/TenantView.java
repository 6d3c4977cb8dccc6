package io.tenantindex.writer;

import io.tenantindex.common.IndexDigest;
import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.common.api.DigestReport;
import io.tenantindex.common.feed.Change;
import io.tenantindex.common.feed.ChangeRing;
import io.tenantindex.schemas.TenantJson;
import io.tenantindex.schemas.TenantRegistration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The writer's authoritative view of the index: the live registration of every tenant, the last
 * version of every deregistered tenant still covered by a tombstone (so a re-registration continues
 * the version sequence), the applied position per partition and the digest at that position (kept
 * as records are applied, over the bytes they have on the topic, so it is the colos' digest and
 * reading it costs nothing).
 * Written only by the writer thread (and the replay before it starts); read by HTTP threads.
 *
 * <p>{@link #page} lists the view in key order (the colos' paging contract, used by {@code verify}
 * to name differing tenants). The sorted id set behind it is kept lazily so that writes do not pay
 * for it: the writer thread only appends the id of a <em>new</em> tenant to a queue (an update or a
 * deregistration touches nothing), and the first page request after writes sorts the queued ids
 * into the set. Ids of deregistered tenants are dropped from the set when a page meets them.
 *
 * <p>Every applied record also goes to the writer's change feed ({@link ChangeRing}): its whole
 * history from the start of the replay, so the feed needs no restore of its own.
 */
final class TenantView {
    private final int partitions;
    // Each live registration with its entry hash, so an update or a delete can take the old entry out of the digest.
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final NavigableSet<String> ids = new ConcurrentSkipListSet<>();
    private final Queue<String> unsortedIds = new ConcurrentLinkedQueue<>();
    private final Map<String, Long> deletedVersions = new ConcurrentHashMap<>();
    private final long[] nextOffsets;
    // The offset of the last record applied per partition (-1 none): what /digest reports, as the colos do.
    private final long[] lastApplied;
    private final IndexDigest digest;
    private final ChangeRing changes;

    private record Live(TenantRegistration registration, IndexDigest.EntryHash hash) {
    }

    TenantView(int partitions, ChangeRing changes) {
        this.partitions = partitions;
        this.changes = changes;
        // The view starts empty and is fed from the topic's start: the ring continues from nothing.
        for (int p = 0; p < partitions; p++) {
            changes.served(p, -1);
        }
        this.nextOffsets = new long[partitions];
        this.lastApplied = new long[partitions];
        Arrays.fill(lastApplied, -1);
        this.digest = new IndexDigest(partitions);
    }

    int partitions() {
        return partitions;
    }

    TenantRegistration get(String tenantId) {
        Live l = live.get(tenantId);
        return l == null ? null : l.registration();
    }

    /** The live version, 0 when the tenant is not registered. */
    long currentVersion(String tenantId) {
        TenantRegistration r = get(tenantId);
        return r == null ? 0 : r.getVersion();
    }

    /** The highest version ever written for the tenant that we still know of (live or tombstoned). */
    long lastVersion(String tenantId) {
        TenantRegistration r = get(tenantId);
        return r != null ? r.getVersion() : deletedVersions.getOrDefault(tenantId, 0L);
    }

    int size() {
        return live.size();
    }

    /**
     * Applies a record read from, or just committed to, partition/offset: {@code value} decoded from
     * {@code encoded}, the bytes on the topic; both null = tombstone.
     */
    void apply(String tenantId, TenantRegistration value, byte[] encoded, long tombstoneVersion, int partition, long offset) {
        Live before = live.get(tenantId);
        long previous = before == null ? 0 : before.registration().getVersion();
        IndexDigest.EntryHash entry = value == null ? null : IndexDigest.entryHash(tenantId, encoded);
        synchronized (digest) {
            digest.replace(partition, before == null ? null : before.hash(), entry);
            nextOffsets[partition] = Math.max(nextOffsets[partition], offset + 1);
            lastApplied[partition] = Math.max(lastApplied[partition], offset);
        }
        if (value == null) {
            live.remove(tenantId);
            deletedVersions.merge(tenantId, Math.max(tombstoneVersion, previous), Math::max);
        } else {
            // Into the map first: a page that sorts the id in finds its registration.
            if (live.put(tenantId, new Live(value, entry)) == null) {
                unsortedIds.add(tenantId);
            }
            deletedVersions.remove(tenantId);
        }
        changes.append(change(tenantId, value, tombstoneVersion, partition, offset));
    }

    /** The change feed's event of a record as {@link #apply} takes it. */
    static Change change(String tenantId, TenantRegistration value, long tombstoneVersion, int partition, long offset) {
        return value == null ? new Change(partition, offset, tenantId, tombstoneVersion, null)
                : new Change(partition, offset, tenantId, value.getVersion(), () -> TenantJson.of(value));
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

    /**
     * Up to {@code limit} live registrations with ids strictly after {@code after} (null = from the
     * start) in id order, and the cursor of the next page (null when this is the last). Tenant ids
     * are ASCII, so String order is the colos' RocksDB key-byte order. Not a snapshot: a page
     * reflects the view while it was read, like a colo's.
     */
    Page page(String after, int limit) {
        sortQueuedIds();
        Iterator<String> it = (after == null ? ids : ids.tailSet(after, false)).iterator();
        List<TenantRegistration> items = new ArrayList<>(Math.min(limit, 1024));
        while (items.size() < limit && it.hasNext()) {
            String id = it.next();
            TenantRegistration r = get(id);
            if (r != null) {
                items.add(r);
            } else {
                // Deregistered. A re-registration queues the id again after putting it live, and
                // the next page sorts it back in, so removing it here cannot lose it.
                it.remove();
            }
        }
        String next = it.hasNext() && !items.isEmpty() ? items.get(items.size() - 1).getTenantId() : null;
        return new Page(items, next);
    }

    private synchronized void sortQueuedIds() {
        if (unsortedIds.isEmpty()) {
            return;
        }
        List<String> batch = new ArrayList<>();
        for (String id; (id = unsortedIds.poll()) != null; ) {
            batch.add(id);
        }
        // Sorted first: skip-list inserts in ascending order are several times faster than random ones.
        batch.sort(null);
        ids.addAll(batch);
    }

    record Page(List<TenantRegistration> items, String nextCursor) {
    }

    int partitionOf(String tenantId) {
        return IndexPartitioner.partitionFor(tenantId, partitions);
    }

    /** A consistent copy of the digest and the positions (last applied offsets) it was taken at. */
    DigestReport digest() {
        synchronized (digest) {
            Map<Integer, Long> positions = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                positions.put(p, lastApplied[p]);
            }
            return DigestReport.ofWriter(digest.totalHash(), digest.totalEntries(), digest.perPartition(), positions);
        }
    }
}
