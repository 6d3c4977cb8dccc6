package io.tenantindex.colo;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.tenantindex.common.ConsistencyToken;
import io.tenantindex.common.config.StateDirectories;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A colo replica that can be rebuilt from the topic with zero downtime (blue/green).
 *
 * <p>A rebuild starts a second {@link ColoMaterializer} under the next <em>generation</em>: a new
 * application id ({@code …-g<N>}), so a new consumer group that loads the compacted topic into a
 * new RocksDB store by bulk restore ({@link BulkRestore}; Streams keeps each application id in its
 * own directory under the state dir). The current generation keeps answering every lookup meanwhile. When the new one
 * has caught up with the end offsets it saw at its start, lookups switch to it in one volatile
 * write; the generation number is persisted next to the state (so a restart opens the new one),
 * and the old one is closed after a short grace period, its state directory deleted and its
 * consumer group removed. Tokens stay valid across generations: they are topic offsets.
 *
 * <p><b>A rebuild interrupted by a crash (kill -9) is discarded and started again from scratch.</b>
 * A requested rebuild is recorded in {@code <application.id>.rebuilding} next to the generation
 * file until the switch. At start, every state directory of this colo other than the active
 * generation's is deleted: a half-built newer generation (its RocksDB may be mid-write and, under
 * exactly-once, has no checkpoint anyway) and a retired older one whose deletion the crash cut
 * short. If the marker is there, the rebuild is started again, under a generation number above any
 * used before: the interrupted generation's consumer group may still hold the dead process as a
 * member (until its session times out) and offsets of its open transaction, and a fresh group
 * avoids waiting for either. Groups of discarded generations are deleted after the next switch.
 * The active generation is never touched, so the colo serves as after any restart meanwhile. An
 * unreadable generation file is logged and replaced by the newest generation on disk that is not
 * the half-built one.
 */
public final class RebuildableReplica implements IndexReplica, ReplicaAdmin, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RebuildableReplica.class);
    private static final Duration SWITCH_GRACE = Duration.ofSeconds(2);

    private final MaterializerConfig base;
    private final SchemaRegistryClient registry;
    private final Path generationFile;
    private final Path rebuildingFile;
    private final Set<String> discardedGroups = ConcurrentHashMap.newKeySet();
    private long highestGeneration;
    private boolean closed;
    private volatile ColoMaterializer active;
    private volatile long generation;
    private volatile Rebuild rebuild;
    private MeterRegistry metrics;
    private KafkaStreamsMetrics streamsMetrics;

    private RebuildableReplica(MaterializerConfig base, SchemaRegistryClient registry) {
        this.base = base;
        this.registry = registry;
        this.generationFile = base.stateDir().resolve(base.applicationId() + ".generation");
        this.rebuildingFile = base.stateDir().resolve(base.applicationId() + ".rebuilding");
        StateDirectories.requireUsable(base.stateDir());
        SortedMap<Long, Path> dirs = generationDirs();
        long requested = readGeneration(rebuildingFile, 0);
        long recorded = readGeneration(generationFile, -1);
        if (recorded < 0) {
            // Part of the state is damaged: open the newest generation that is not a half-built one
            // (none: generation 0, restored from the topic) and record it again.
            recorded = dirs.keySet().stream().filter(g -> g != requested).max(Long::compare).orElse(0L);
            LOG.error("colo {}: the replica generation file {} is unreadable; opening generation {}, the newest complete one on disk",
                    base.colo(), generationFile, recorded);
            writeGeneration(generationFile, recorded);
        }
        this.generation = recorded;
        if (requested > 0 && requested <= generation) {
            // The switch was recorded; only the marker's removal was cut short.
            deleteFile(rebuildingFile);
        }
        this.highestGeneration = Math.max(generation, requested);
        discardInactiveGenerations(dirs);
        this.active = ColoMaterializer.start(base.withGeneration(generation), registry);
    }

    public static RebuildableReplica start(MaterializerConfig base, SchemaRegistryClient registry) {
        RebuildableReplica replica = new RebuildableReplica(base, registry);
        if (Files.exists(replica.rebuildingFile)) {
            LOG.warn("colo {}: a rebuild was interrupted before it switched; starting it again from the beginning once "
                    + "generation {} is ready", base.colo(), replica.generation);
            // Serving first: the rebuild would otherwise compete with the active generation's own restore.
            // Async: readiness completes on a Streams thread, which must not start another application.
            replica.active.whenReady().thenRunAsync(() -> {
                try {
                    replica.startRebuild();
                } catch (RuntimeException e) {
                    LOG.error("colo {}: could not restart the interrupted rebuild; POST /admin/rebuild to retry", base.colo(), e);
                }
            });
        }
        return replica;
    }

    /** This colo's Streams state directories by generation (0 = the application id without -g). */
    private SortedMap<Long, Path> generationDirs() {
        Pattern ours = Pattern.compile(Pattern.quote(base.applicationId()) + "(?:-g(\\d{1,18}))?");
        SortedMap<Long, Path> out = new TreeMap<>();
        try (Stream<Path> entries = Files.list(base.stateDir())) {
            entries.filter(Files::isDirectory).forEach(dir -> {
                Matcher m = ours.matcher(dir.getFileName().toString());
                if (m.matches()) {
                    out.put(m.group(1) == null ? 0 : Long.parseLong(m.group(1)), dir);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the state directory " + base.stateDir(), e);
        }
        return out;
    }

    /** Deletes the state of every generation but the active one (see the class comment). */
    private void discardInactiveGenerations(SortedMap<Long, Path> dirs) {
        for (Map.Entry<Long, Path> e : dirs.entrySet()) {
            long g = e.getKey();
            Path dir = e.getValue();
            highestGeneration = Math.max(highestGeneration, g);
            if (g == generation) {
                continue;
            }
            LOG.warn("colo {}: discarding the state of {} generation {} in {}", base.colo(),
                    g > generation ? "half-built (interrupted rebuild)" : "retired", g, dir);
            StateDirectoryCheck.wipe(dir);
            discardedGroups.add(dir.getFileName().toString());
        }
    }

    /** The materializer currently answering lookups. */
    public ColoMaterializer active() {
        return active;
    }

    @Override
    public long generation() {
        return generation;
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
        long next = Math.max(generation, highestGeneration) + 1;
        highestGeneration = next;
        // Recorded before the new generation writes anything, so a crash from here on is seen at start.
        writeGeneration(rebuildingFile, next);
        long total = active.stats().position().values().stream().mapToLong(o -> o + 1).sum();
        LOG.info("colo {}: rebuilding into generation {} while generation {} keeps serving", base.colo(), next, generation);
        Rebuild r = new Rebuild(next, ColoMaterializer.start(base.withGeneration(next), registry), Instant.now(), total);
        rebuild = r;
        r.fresh.whenReady().thenRun(() -> switchTo(r));
        return r.progress();
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
            writeGeneration(generationFile, r.generation);
            deleteFile(rebuildingFile);
            old = active;
            active = r.fresh;
            generation = r.generation;
            r.finishedAt = Instant.now();
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

    private void retire(ColoMaterializer old) {
        String appId = old.config().applicationId();
        old.close();
        try (Admin admin = Admin.create(old.config().kafka().clientProperties())) {
            admin.deleteConsumerGroups(List.of(appId)).all().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("colo {}: could not delete consumer group {} of the retired replica: {}", base.colo(), appId, e.toString());
        }
        deleteRecursively(old.config().stateDir().resolve(appId));
        LOG.info("colo {}: retired {}", base.colo(), appId);
        deleteDiscardedGroups(old.config());
    }

    /** Consumer groups of generations discarded at start (their dead members have long timed out by now). */
    private void deleteDiscardedGroups(MaterializerConfig kafkaConfig) {
        if (discardedGroups.isEmpty()) {
            return;
        }
        List<String> groups = List.copyOf(discardedGroups);
        try (Admin admin = Admin.create(kafkaConfig.kafka().clientProperties())) {
            admin.deleteConsumerGroups(groups).deletedGroups().forEach((group, f) -> {
                try {
                    f.get(10, TimeUnit.SECONDS);
                    discardedGroups.remove(group);
                } catch (Exception e) {
                    // GroupIdNotFound: nothing was ever committed under it; anything else: try after the next switch.
                    if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                        discardedGroups.remove(group);
                    } else {
                        LOG.info("colo {}: consumer group {} of a discarded generation not deleted yet: {}", base.colo(), group, e.toString());
                    }
                }
            });
        }
    }

    @Override
    public String colo() {
        return base.colo();
    }

    @Override
    public Optional<TenantRegistration> lookup(String tenantId) {
        return active.lookup(tenantId);
    }

    @Override
    public CompletableFuture<Optional<TenantRegistration>> lookupAtLeast(String tenantId, ConsistencyToken token, Duration maxWait) {
        return active.lookupAtLeast(tenantId, token, maxWait);
    }

    @Override
    public ReplicaState state() {
        return active.state();
    }

    @Override
    public ReplicaStats stats() {
        return active.stats();
    }

    @Override
    public TenantPage page(String after, int limit) {
        return active.page(after, limit);
    }

    @Override
    public ReplicaDigest digest() {
        return active.digest();
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
    }

    @Override
    public synchronized void close() {
        closed = true;
        Rebuild r = rebuild;
        if (r != null && r.finishedAt == null) {
            r.fresh.close();
        }
        active.close();
    }

    private static final class Rebuild {
        final long generation;
        final ColoMaterializer fresh;
        final Instant startedAt;
        final long expected;
        volatile Instant finishedAt;

        Rebuild(long generation, ColoMaterializer fresh, Instant startedAt, long expected) {
            this.generation = generation;
            this.fresh = fresh;
            this.startedAt = startedAt;
            this.expected = expected;
        }

        RebuildProgress progress() {
            Instant end = finishedAt;
            long applied = fresh.positions().reReadRecords();
            double seconds = Math.max(0.001, Duration.between(startedAt, end == null ? Instant.now() : end).toMillis() / 1000.0);
            double rate = applied / seconds;
            double percent = end != null ? 100.0 : expected == 0 ? 0.0 : Math.min(99.9, 100.0 * applied / expected);
            Long eta = end != null ? Long.valueOf(0) : rate <= 0 ? null : Long.valueOf((long) Math.ceil(Math.max(0, expected - applied) / rate));
            return new RebuildProgress(generation, end == null ? "running" : "done", startedAt, end, applied, expected,
                    percent, rate, eta);
        }
    }

    /** The number in {@code file}, 0 if there is no file, {@code unreadable} if it cannot be read or parsed. */
    private static long readGeneration(Path file, long unreadable) {
        try {
            return Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            LOG.warn("unreadable replica generation file {}: {}", file, e.toString());
            return unreadable;
        }
    }

    private static void writeGeneration(Path file, long generation) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Long.toString(generation), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record replica generation in " + file, e);
        }
    }

    private static void deleteFile(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }

    /** A retired generation's state: a failed deletion is only logged, the replica already serves from the new one. */
    private static void deleteRecursively(Path dir) {
        try {
            StateDirectoryCheck.wipe(dir);
        } catch (UncheckedIOException e) {
            LOG.warn("could not delete retired replica state {}: {}", dir, e.getCause().toString());
        }
    }
}
