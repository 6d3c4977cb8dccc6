package io.tenantindex.lookup;

import io.tenantindex.colo.IndexReplica;
import io.tenantindex.colo.ReplicaAdmin;
import io.tenantindex.common.IndexDigest;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.TenantRegistration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory replica for route tests: the test sets its contents, state and token behaviour. */
final class FakeReplica implements IndexReplica, ReplicaAdmin {
    static final int PARTITIONS = 6;
    final NavigableMap<String, TenantRegistration> entries = new ConcurrentSkipListMap<>();
    volatile ReplicaState state = new ReplicaState(Phase.READY, true, 0, 12, null, null);
    /** How often {@link #state()} was asked: the real one asks the reader which partitions it serves. */
    final AtomicInteger stateReads = new AtomicInteger();
    /** What lookupAtLeast returns before the entry is read; null = answer at once. */
    volatile CompletableFuture<Void> tokenWait;
    volatile Duration lastWait;
    volatile StartupRebuild startupRebuild;
    volatile ConsistencyToken lastToken;
    volatile RebuildProgress rebuild;
    /** Whether lookups answer as read from a store behind what was already answered. */
    volatile boolean behind;

    @Override
    public String colo() {
        return "TST";
    }

    @Override
    public int partitions() {
        return PARTITIONS;
    }

    @Override
    public Read lookup(String tenantId) {
        return new Read(Optional.ofNullable(entries.get(tenantId)), behind);
    }

    @Override
    public Read lookupStale(String tenantId) {
        return new Read(Optional.ofNullable(entries.get(tenantId)), true);
    }

    @Override
    public CompletableFuture<Read> lookupAtLeast(String tenantId, ConsistencyToken token, Duration maxWait) {
        lastWait = maxWait;
        lastToken = token;
        CompletableFuture<Void> wait = tokenWait == null ? CompletableFuture.completedFuture(null) : tokenWait;
        return wait.thenApply(v -> lookup(tenantId)).exceptionally(e -> {
            throw new TenantIndexException(ErrorType.NOT_UP_TO_BOUND, "not applied yet", Duration.ofSeconds(1), null);
        });
    }

    @Override
    public ReplicaState state() {
        stateReads.incrementAndGet();
        return state;
    }

    @Override
    public ReplicaStats stats() {
        return new ReplicaStats("TST", state, entries.size(), Map.of(0, 41L), Map.of(0, 0L),
                Instant.parse("2026-01-01T00:00:00Z"), 2, 10, 10, 15);
    }

    @Override
    public TenantPage page(String after, int limit) {
        List<TenantRegistration> items = new ArrayList<>();
        Map<String, TenantRegistration> tail = after == null ? entries : entries.tailMap(after, false);
        for (TenantRegistration r : tail.values()) {
            if (items.size() == limit) {
                return new TenantPage(items, items.get(items.size() - 1).getTenantId());
            }
            items.add(r);
        }
        return new TenantPage(items, null);
    }

    /** Stands for the registration's bytes on the topic. */
    static byte[] encoded(TenantRegistration r) {
        try {
            return r.toByteBuffer().array();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public ReplicaDigest digest() {
        IndexDigest d = new IndexDigest(1);
        entries.values().forEach(r -> d.add(0, IndexDigest.entryHash(r.getTenantId(), encoded(r))));
        return new ReplicaDigest(Map.of(0, new PartitionDigest(d.partitionHash(0), d.partitionEntries(0), 41)),
                d.totalHash(), d.totalEntries());
    }

    @Override
    public RebuildProgress startRebuild() {
        if (rebuild == null) {
            rebuild = new RebuildProgress(1, "running", Instant.parse("2026-01-01T00:00:00Z"), null, 10, 40, 25.0, 100.0, 1L, null);
        }
        return rebuild;
    }

    @Override
    public Optional<RebuildProgress> rebuildProgress() {
        return Optional.ofNullable(rebuild);
    }

    @Override
    public long generation() {
        return rebuild == null ? 0 : 1;
    }

    @Override
    public Optional<StartupRebuild> startupRebuild() {
        return Optional.ofNullable(startupRebuild);
    }

    void degrade(Instant since) {
        state = new ReplicaState(Phase.DEGRADED, true, 0, 5000, since, "Kafka unreachable: test");
    }

    void restoring() {
        state = new ReplicaState(Phase.RESTORING, false, 500, 3000, null, null);
    }
}
