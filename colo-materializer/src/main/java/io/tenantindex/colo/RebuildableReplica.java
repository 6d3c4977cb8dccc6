package io.tenantindex.colo;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.tenantindex.common.ShutdownBudget;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.StateDirectories;
import io.tenantindex.common.feed.ChangeRing;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A colo replica that can be rebuilt from the topic with zero downtime (blue/green): the one
 * {@link IndexReplica} and {@link ReplicaAdmin} of a colo process.
 *
 * <p>A rebuild starts a second {@link ColoMaterializer} under the next <em>generation</em>: a new
 * application id ({@code …-g<N>}), so a new consumer group that loads the compacted topic into a
 * new RocksDB store by bulk restore ({@link BulkRestore}; Streams keeps each application id in its
 * own directory under the state dir). The current generation keeps answering every lookup meanwhile. When the new one
 * has caught up with the end offsets it saw at its start, lookups switch to it in one volatile
 * write; the generation number is persisted next to the state (so a restart opens the new one),
 * and the old one is closed after a short grace period, its state directory deleted and its
 * consumer group removed. Tokens stay valid across generations: they are topic offsets. What a
 * crash in the middle of a rebuild leaves behind is cleaned up at start ({@link Generations}).
 *
 * <p>A rebuild that has not caught up within {@link MaterializerConfig#rebuildTimeout()} (a replay
 * that keeps failing never does) ends {@code failed}: its generation is closed and discarded like a
 * retired one, the serving generation is never touched, and the next {@link #startRebuild} starts
 * afresh under a new number.
 */
public final class RebuildableReplica implements IndexReplica, ReplicaAdmin, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RebuildableReplica.class);
    private static final Duration SWITCH_GRACE = Duration.ofSeconds(2);

    private final MaterializerConfig base;
    private final SchemaRegistryClient registry;
    private final Generations generations;
    private final ChangeRing changes;
    private final Optional<StartupRebuild> startupRebuild;
    private boolean closed;
    private volatile ColoMaterializer active;
    private volatile Rebuild rebuild;
    private MeterRegistry metrics;
    private KafkaStreamsMetrics streamsMetrics;

    private RebuildableReplica(MaterializerConfig base, SchemaRegistryClient registry, Generations generations,
                               ChangeRing changes, ColoMaterializer active) {
        this.base = base;
        this.registry = registry;
        this.generations = generations;
        this.changes = changes;
        this.active = active;
        this.startupRebuild = active.startupRebuild();
    }

    /**
     * Opens the colo's local state and starts its active generation; returns at once (see
     * {@link #whenReady()}). An unusable state directory is a {@code ConfigException} naming it,
     * before anything is read, written or connected; so is a topic whose partition count is not
     * the one the state was built with ({@link BuiltPartitions}). Every generation appends what it
     * applies to {@code changes}, which keeps each record once, so the change feeds read across a switch.
     */
    public static RebuildableReplica start(MaterializerConfig base, SchemaRegistryClient registry, ChangeRing changes) {
        long checkNanos = System.nanoTime();
        StateDirectories.requireUsable(base.stateDir());
        BuiltPartitions.verify(base);
        Generations generations = Generations.open(base);
        LOG.info("colo {}: partition count and generations checked in {} ms", base.colo(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - checkNanos));
        RebuildableReplica replica = new RebuildableReplica(base, registry, generations, changes,
                ColoMaterializer.start(base.withGeneration(generations.active()), registry, changes, true));
        replica.rebuildWhenOutOfSync(replica.active);
        if (generations.rebuildInterrupted()) {
            LOG.warn("colo {}: a rebuild was interrupted before it switched; starting it again from the beginning once "
                    + "generation {} is ready", base.colo(), generations.active());
            // Serving first: the rebuild would otherwise compete with the active generation's own restore.
            // Async: readiness completes on a Streams thread, which must not start another application.
            replica.whenReady().thenRunAsync(() -> {
                try {
                    replica.startRebuild();
                } catch (RuntimeException e) {
                    LOG.error("colo {}: could not restart the interrupted rebuild; POST /admin/rebuild to retry", base.colo(), e);
                }
            });
        }
        return replica;
    }

    /** Completes when the generation that is active now has applied everything committed before it started. */
    public CompletableFuture<Void> whenReady() {
        return active.health().whenReady();
    }

    /** The Streams application id (and consumer group) of the active generation. */
    public String applicationId() {
        return active.config().applicationId();
    }

    @Override
    public long generation() {
        return generations.active();
    }

    @Override
    public Optional<StartupRebuild> startupRebuild() {
        return startupRebuild;
    }

    /** Starts a rebuild, or returns the one already running. */
    @Override
    public synchronized RebuildProgress startRebuild() {
        Rebuild running = rebuild;
        if (running != null && running.finishedAt == null) {
            return running.progress();
        }
        if (closed) {
            throw new IllegalStateException("colo " + base.colo() + " is closed");
        }
        long next = generations.beginRebuild();
        long total = stats().position().values().stream().mapToLong(o -> o + 1).sum();
        LOG.info("colo {}: rebuilding into generation {} while generation {} keeps serving", base.colo(), next, generation());
        // Taken first: preparing the new generation (its group's offsets, Streams' start) is part of the rebuild's time.
        Instant startedAt = Instant.now();
        Rebuild r = new Rebuild(next, ColoMaterializer.start(base.withGeneration(next), registry, changes, false), startedAt, total);
        rebuild = r;
        // A copy: the timeout must not complete the new generation's own readiness future.
        r.fresh.health().whenReady().copy().orTimeout(base.rebuildTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ready, error) -> {
                    if (error == null) {
                        switchTo(r);
                    } else {
                        // Off the timer thread: discarding closes a Streams application.
                        CompletableFuture.runAsync(() -> fail(r, error));
                    }
                });
        return r.progress();
    }

    private void fail(Rebuild r, Throwable error) {
        synchronized (this) {
            if (closed || r.finishedAt != null) {
                return;
            }
            r.error = error instanceof TimeoutException
                    ? "not caught up within " + base.rebuildTimeout().toMillis() + " ms (" + ConfigKeys.COLO_REBUILD_TIMEOUT_MS + ")"
                    : error.toString();
            r.finishedAt = Instant.now();
            generations.rebuildFailed(r.generation);
        }
        LOG.error("colo {}: the rebuild into generation {} failed ({}); generation {} keeps serving", base.colo(), r.generation,
                r.error, generation());
        discard(r.fresh);
    }

    /** The running or last rebuild of this process. */
    @Override
    public Optional<RebuildProgress> rebuildProgress() {
        Rebuild r = rebuild;
        return r == null ? Optional.empty() : Optional.of(r.progress());
    }

    private void switchTo(Rebuild r) {
        ColoMaterializer old;
        synchronized (this) {
            generations.switchedTo(r.generation);
            old = active;
            // What the old generation answered is the bar for the new one's answers too.
            r.fresh.positions().servedAtLeast(old.positions().servedUpTo());
            active = r.fresh;
            // One full answer cache at a time: the old one goes before the new one warms.
            old.stopServing();
            r.fresh.startServing();
            r.finishedAt = Instant.now();
            rebuildWhenOutOfSync(r.fresh);
            if (metrics != null) {
                streamsMetrics.close();
                streamsMetrics = r.fresh.bindStreamsMetrics(metrics);
            }
        }
        LOG.info("colo {}: switched to generation {} ({} records in {} ms)", base.colo(), r.generation,
                r.fresh.positions().reReadRecords(), Duration.between(r.startedAt, r.finishedAt).toMillis());
        // Lookups that already hold the old replica finish within microseconds; give them time anyway.
        CompletableFuture.delayedExecutor(SWITCH_GRACE.toMillis(), TimeUnit.MILLISECONDS).execute(() -> retire(old));
    }

    /**
     * A generation out of sync longer than the topic keeps tombstones (see {@link SyncWatch})
     * may serve tenants deleted meanwhile: rebuild it from the topic while it keeps serving.
     */
    private void rebuildWhenOutOfSync(ColoMaterializer generation) {
        generation.sync().whenOutOfSync().thenRunAsync(() -> {
            if (active != generation) {
                return;
            }
            try {
                startRebuild();
            } catch (RuntimeException e) {
                LOG.error("colo {}: could not start the rebuild of an out-of-sync replica; POST /admin/rebuild to retry", base.colo(), e);
            }
        });
    }

    private void retire(ColoMaterializer old) {
        discard(old);
        LOG.info("colo {}: retired {}", base.colo(), old.config().applicationId());
        deleteDiscardedGroups(old.config());
    }

    /** Closes a generation that no longer serves (or never will) and deletes its consumer group and state. */
    private void discard(ColoMaterializer generation) {
        String appId = generation.config().applicationId();
        generation.close();
        try (Admin admin = Admin.create(generation.config().kafka().clientProperties())) {
            admin.deleteConsumerGroups(List.of(appId)).all().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("colo {}: could not delete consumer group {} of a discarded replica: {}", base.colo(), appId, e.toString());
        }
        deleteState(generation.config());
    }

    /** Consumer groups of generations discarded at start (their dead members have long timed out by now). */
    private void deleteDiscardedGroups(MaterializerConfig kafkaConfig) {
        Set<String> discarded = generations.discardedGroups();
        if (discarded.isEmpty()) {
            return;
        }
        List<String> groups = List.copyOf(discarded);
        try (Admin admin = Admin.create(kafkaConfig.kafka().clientProperties())) {
            admin.deleteConsumerGroups(groups).deletedGroups().forEach((group, f) -> {
                try {
                    f.get(10, TimeUnit.SECONDS);
                    discarded.remove(group);
                } catch (Exception e) {
                    // GroupIdNotFound: nothing was ever committed under it; anything else: try after the next switch.
                    if (e.getCause() instanceof GroupIdNotFoundException) {
                        discarded.remove(group);
                    } else {
                        LOG.info("colo {}: consumer group {} of a discarded generation not deleted yet: {}", base.colo(), group, e.toString());
                    }
                }
            });
        }
    }

    /** The index topic's effective {@code delete.retention.ms}: how far back a change feed may replay. */
    public long deleteRetentionMs() {
        return active.deleteRetentionMs();
    }

    @Override
    public String colo() {
        return base.colo();
    }

    @Override
    public int partitions() {
        return active.reader().partitions();
    }

    @Override
    public Read lookup(String tenantId) {
        return active.reader().lookup(tenantId);
    }

    @Override
    public EncodedRead lookupEncoded(String tenantId) {
        return active.reader().lookupEncoded(tenantId);
    }

    @Override
    public Read lookupStale(String tenantId) {
        return active.reader().lookupStale(tenantId);
    }

    @Override
    public CompletableFuture<Read> lookupAtLeast(String tenantId, ConsistencyToken token, Duration maxWait) {
        return active.reader().lookupAtLeast(tenantId, token, maxWait);
    }

    @Override
    public ReplicaState state() {
        return active.health().state();
    }

    @Override
    public ReplicaStats stats() {
        return active.health().stats();
    }

    @Override
    public TenantPage page(String after, int limit) {
        return active.reader().page(after, limit);
    }

    @Override
    public ReplicaDigest digest() {
        return active.reader().digest();
    }

    /** Gauges follow whichever generation is active; Kafka Streams' client metrics are rebound on a switch. */
    public synchronized void bindMetrics(MeterRegistry registry) {
        metrics = registry;
        streamsMetrics = active.bindStreamsMetrics(registry);
        Gauge.builder("tenant_index_replica_lag", this, r -> r.state().lag()).description("Records behind Kafka (-1 unknown)").register(registry);
        Gauge.builder("tenant_index_replica_staleness_ms", this, r -> r.state().stalenessMs())
                .description("ms since the replica was last known to be current").register(registry);
        Gauge.builder("tenant_index_replica_ready", this, r -> r.state().ready() ? 1 : 0).register(registry);
        Gauge.builder("tenant_index_replica_degraded", this, r -> r.state().degraded() ? 1 : 0)
                .description("1 while Kafka is unreachable (serving last-known-good)").register(registry);
        Gauge.builder("tenant_index_replica_generation", this, RebuildableReplica::generation)
                .description("Replica generation (+1 per completed rebuild)").register(registry);
        FunctionCounter.builder("tenant_index_replica_poison_records", this, r -> r.active.poisonRecords())
                .description("Undecodable index records sent to the dead-letter topic").register(registry);
        Gauge.builder("tenant_index_rebuild_running_seconds", this, RebuildableReplica::rebuildRunningSeconds)
                .description("Seconds the running rebuild has taken so far (0 when none runs)").register(registry);
        Gauge.builder("tenant_index_answer_cache_bytes", this, r -> r.active.answers().heldBytes())
                .description("Heap the answer cache's values take (colo.answer.cache.bytes bounds it)").register(registry);
        FunctionCounter.builder("tenant_index_answer_cache_lookups", this, r -> r.active.answers().hits())
                .description("Lookups by whether the answer cache held the tenant").tag("result", "hit").register(registry);
        FunctionCounter.builder("tenant_index_answer_cache_lookups", this, r -> r.active.answers().misses())
                .description("Lookups by whether the answer cache held the tenant").tag("result", "miss").register(registry);
    }

    private double rebuildRunningSeconds() {
        Rebuild r = rebuild;
        return r == null || r.finishedAt != null ? 0 : Duration.between(r.startedAt, Instant.now()).toMillis() / 1000.0;
    }

    @Override
    public void close() {
        close(Duration.ofMillis(ShutdownBudget.DEFAULT_MS));
    }

    /** Stops the active generation, and a rebuild in progress, within {@code within}. */
    public synchronized void close(Duration within) {
        ShutdownBudget budget = ShutdownBudget.start(within);
        closed = true;
        Rebuild r = rebuild;
        if (r != null && r.finishedAt == null) {
            r.fresh.close(budget.share(0.5));
        }
        active.close(budget.remaining());
    }

    /** A discarded generation's state: a failed deletion is only logged, the replica serves from another one. */
    private static void deleteState(MaterializerConfig retired) {
        Path dir = retired.stateDir().resolve(retired.applicationId());
        try {
            StateDirectoryCheck.wipe(dir);
            LastInSync.forget(retired);
        } catch (UncheckedIOException e) {
            LOG.warn("could not delete retired replica state {}: {}", dir, e.getCause().toString());
        }
    }
}
