package io.tenantindex.colo;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.tenantindex.common.DaemonThreads;
import io.tenantindex.common.ShutdownBudget;
import io.tenantindex.common.feed.ChangeRing;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle of one generation of a colo's replica: a Kafka Streams application
 * ({@code tenant-index-colo-<COLO>}) materializing the whole index topic into RocksDB. {@link #start}
 * prepares the topics and the local state, starts Streams and the refresh schedule; the restore
 * listener ({@link AppliedPositions}) tracks what the store holds, also on a warm start; {@link #close()} stops it all. What it serves
 * is read through {@link #reader()}, how it stands through {@link #health()}.
 */
final class ColoMaterializer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ColoMaterializer.class);
    private static final Duration DEGRADED_CLOSE_TIMEOUT = Duration.ofSeconds(3);
    private static final String STREAM_THREAD = "-StreamThread-";

    private final MaterializerConfig config;
    private final AppliedPositions positions;
    private final ContentDigests digests;
    private final PoisonRecords poison;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService completions;
    /** Hashes the stores of tasks that start (see {@link ContentDigests}). */
    private final ExecutorService hashing;
    private final Admin admin;
    private final KafkaStreams streams;
    private final StreamThreadFailures threadFailures;
    private final ReplicaReader reader;
    private final LiveStores liveStores;
    private final ReplicaHealth health;
    private final SyncWatch sync;
    /** Set when the index was bulk-restored (see {@link BulkRestore}); runs once the replica is ready. */
    private final PoisonScan poisonScan;
    /** Why this generation's local state was wiped at start, if it was. */
    private final Optional<ReplicaAdmin.StartupRebuild> startupRebuild;

    private ColoMaterializer(MaterializerConfig config, AppliedPositions positions, PoisonRecords poison,
                             ScheduledExecutorService scheduler, ExecutorService completions, ExecutorService hashing,
                             Admin admin, KafkaStreams streams,
                             StreamThreadFailures threadFailures, LiveStores liveStores, ContentDigests digests, int partitions,
                             PoisonScan poisonScan, AnswerTranscoder transcoder, long startedAtMillis, long trustedSinceMillis,
                             Optional<ReplicaAdmin.StartupRebuild> startupRebuild) {
        this.config = config;
        this.positions = positions;
        this.poison = poison;
        this.scheduler = scheduler;
        this.completions = completions;
        this.hashing = hashing;
        this.admin = admin;
        this.streams = streams;
        this.threadFailures = threadFailures;
        this.poisonScan = poisonScan;
        this.digests = digests;
        this.startupRebuild = startupRebuild;
        this.liveStores = liveStores;
        this.reader = new ReplicaReader(config.colo(), streams, liveStores, digests, positions, transcoder, completions,
                partitions, liveStores.size());
        this.sync = new SyncWatch(config, positions, trustedSinceMillis, () -> LastInSync.deleteRetentionMs(config, admin));
        this.health = new ReplicaHealth(config, admin, streams, positions, poison, reader, scheduler,
                startedAtMillis, sync, this::startPoisonScan);
    }

    /**
     * Starts the colo's Streams application on a usable state directory; returns at once (see
     * {@link ReplicaHealth#whenReady()} for readiness). With Kafka unreachable it starts degraded
     * and serves whatever local state it has. Applied records go to {@code changes}. A generation
     * started beside a {@code serving} one (a rebuild) warms its answer cache once it takes over
     * ({@link #startServing}).
     */
    static ColoMaterializer start(MaterializerConfig config, SchemaRegistryClient registry, ChangeRing changes, boolean serving) {
        long checkNanos = System.nanoTime();
        Path appDir = config.stateDir().toAbsolutePath().resolve(config.applicationId());
        // Read-only, so it runs beside the Kafka round trips below; what it finds is acted on before Streams exists.
        CompletableFuture<Optional<String>> stateProblem = CompletableFuture.supplyAsync(
                () -> StateDirectoryCheck.problem(appDir, ColoTopology.STORE),
                body -> DaemonThreads.newThread("colo-" + config.colo() + "-state-check", body).start());
        // Time to ready counts from here: checking the local state, preparing the topics and the bulk restore are part of it.
        long startedAtMillis = System.currentTimeMillis();
        Properties adminProps = config.kafka().clientProperties();
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        Admin admin = Admin.create(adminProps);
        int partitions = config.topics().indexPartitions();
        Map<Integer, Long> bulkRestored = Map.of();
        RuntimeException unreachable = null;
        try {
            TopicAdmin.ensureTopics(admin, List.of(config.topics().index(), config.dlqSpec()));
            partitions = TopicAdmin.partitionCount(admin, config.indexTopic());
            bulkRestored = BulkRestore.commitStableEnds(admin, config.applicationId(), config.indexTopic());
        } catch (RuntimeException e) {
            unreachable = e;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("colo {}: could not prepare a bulk restore, reading the index record by record: {}", config.colo(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long checkedNanos = System.nanoTime();
        // A corrupted store is wiped so that Streams restores it from the topic instead of failing every
        // task initialisation (and every replaced stream thread) on it.
        Optional<String> wiped = stateProblem.join().map(problem -> {
            LOG.error("colo {}: local state is corrupt or unreadable ({}); wiping {} and restoring the replica from {}",
                    config.colo(), problem, appDir, config.indexTopic());
            wipe(config, appDir);
            return "local state corrupt or unreadable: " + problem;
        });
        long checkWaitNanos = System.nanoTime() - checkedNanos;
        if (wiped.isEmpty() && unreachable == null) {
            try {
                wiped = LastInSync.distrust(config, admin, startedAtMillis);
                wiped.ifPresent(why -> {
                    LOG.warn("colo {}: {}; wiping {} and restoring the replica from {} before it serves", config.colo(), why,
                            appDir, config.indexTopic());
                    wipe(config, appDir);
                });
            } catch (RuntimeException e) {
                unreachable = e;
            }
        }
        if (!bulkRestored.isEmpty()) {
            LOG.info("colo {}: new consumer group {}: restoring the index in bulk up to offsets {}", config.colo(),
                    config.applicationId(), bulkRestored);
        }

        long streamsNanos = System.nanoTime();
        long trustedSinceMillis = LastInSync.trustedSince(config);
        AppliedPositions positions = new AppliedPositions(config.indexTopic(), System::currentTimeMillis);
        PoisonRecords poison = new PoisonRecords();
        long answerCacheBytes = AnswerCache.boundWithin(config.answerCacheBytes(), Runtime.getRuntime().maxMemory());
        if (answerCacheBytes < config.answerCacheBytes()) {
            LOG.info("colo {}: answer cache bound to {} MiB, {} % of the {} MiB heap (colo.answer.cache.bytes is {} MiB)", config.colo(),
                    answerCacheBytes >> 20, Math.round(AnswerCache.MAX_HEAP_SHARE * 100), Runtime.getRuntime().maxMemory() >> 20,
                    config.answerCacheBytes() >> 20);
        }
        ExecutorService hashing = Executors.newSingleThreadExecutor(DaemonThreads.factory("colo-" + config.colo() + "-digest"));
        AnswerTranscoder transcoder = new AnswerTranscoder(registry);
        // Warmed on the digest's thread: after the task's store is hashed, so readiness' digest comes first.
        LiveStores liveStores = new LiveStores(Math.max(partitions, config.topics().indexPartitions()), answerCacheBytes,
                transcoder, hashing, serving);
        ContentDigests digests = new ContentDigests(liveStores.size(), hashing);
        Properties props = ColoTopology.getStreamsConfig(config);
        IndexRecordSerde values = new IndexRecordSerde(registry);
        KafkaStreams streams = new KafkaStreams(ColoTopology.buildTopology(new StreamsBuilder(), props, config,
                values, positions, poison, liveStores, digests, changes), props);
        PoisonScan poisonScan = bulkRestored.isEmpty() ? null : new PoisonScan(config, bulkRestored, values.deserializer(), poison);
        StreamThreadFailures threadFailures = new StreamThreadFailures(config.colo(), config.stateDir(), System::nanoTime,
                thread -> removeStaticMember(admin, config, thread));
        ColoMaterializer colo = new ColoMaterializer(config, positions, poison,
                Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("colo-" + config.colo() + "-refresh")),
                Executors.newFixedThreadPool(2, DaemonThreads.factory("colo-" + config.colo() + "-ryw")), hashing,
                admin, streams, threadFailures, liveStores, digests, partitions, poisonScan, transcoder,
                startedAtMillis, trustedSinceMillis,
                wiped.map(why -> new ReplicaAdmin.StartupRebuild(Instant.ofEpochMilli(startedAtMillis), why)));
        if (unreachable != null) {
            colo.health.markDegraded(unreachable);
        }
        colo.run();
        long doneNanos = System.nanoTime();
        LOG.info("colo {}: {} prepared in {} ms: Kafka (topics, offsets, retention) {} ms beside the local state check, "
                        + "which it then waited {} ms for; Streams {} ms", config.colo(), config.applicationId(),
                millis(doneNanos - checkNanos), millis(streamsNanos - checkNanos - checkWaitNanos), millis(checkWaitNanos),
                millis(doneNanos - streamsNanos));
        return colo;
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private void run() {
        // Despite its name this listener hears the restores of every store, not only global ones.
        streams.setGlobalStateRestoreListener(positions);
        streams.setUncaughtExceptionHandler(threadFailures);
        streams.setStateListener((now, before) -> LOG.info("colo {}: streams {} -> {}", config.colo(), before, now));
        streams.start();
        scheduler.scheduleWithFixedDelay(health::refresh, 0, config.refreshInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("colo {}: started application {} on {} (state in {})", config.colo(), config.applicationId(),
                config.indexTopic(), config.stateDir().toAbsolutePath());
    }

    MaterializerConfig config() {
        return config;
    }

    ReplicaReader reader() {
        return reader;
    }

    AnswerCache answers() {
        return liveStores.answers();
    }

    /** This generation serves lookups now: its answer cache warms from its stores. */
    void startServing() {
        liveStores.startWarming();
    }

    /** Another generation serves lookups now: this one's answer cache is emptied, for the other's to take its heap. */
    void stopServing() {
        liveStores.stopWarming();
    }

    ReplicaHealth health() {
        return health;
    }

    SyncWatch sync() {
        return sync;
    }

    AppliedPositions positions() {
        return positions;
    }

    Optional<ReplicaAdmin.StartupRebuild> startupRebuild() {
        return startupRebuild;
    }

    /** The index topic's effective {@code delete.retention.ms}, asked from Kafka. */
    long deleteRetentionMs() {
        return LastInSync.deleteRetentionMs(config, admin);
    }

    long poisonRecords() {
        return poison.count();
    }

    /** Binds Kafka Streams' own client metrics (consumer lag, commit rates, RocksDB); close the binder to unbind. */
    KafkaStreamsMetrics bindStreamsMetrics(MeterRegistry registry) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
        binder.bindTo(registry);
        return binder;
    }

    @Override
    public void close() {
        close(Duration.ofMillis(ShutdownBudget.DEFAULT_MS));
    }

    /** Stops within {@code within}: most of it for Streams to commit and leave the group, the rest for the admin client. */
    void close(Duration within) {
        ShutdownBudget budget = ShutdownBudget.start(within);
        scheduler.shutdownNow();
        threadFailures.close();
        if (poisonScan != null) {
            poisonScan.close();
        }
        // Leave the group so that a restart is assigned its partitions at once, not after session.timeout.ms.
        // With Kafka unreachable there is no group to leave: do not hold shutdown for the whole budget.
        Duration streamsTimeout = budget.share(0.8);
        if (health.degraded() && streamsTimeout.compareTo(DEGRADED_CLOSE_TIMEOUT) > 0) {
            streamsTimeout = DEGRADED_CLOSE_TIMEOUT;
        }
        boolean clean = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(streamsTimeout));
        // Only a clean close has committed everything applied; otherwise the older record stands.
        if (clean && sync.inSyncAtMillis() > 0) {
            LastInSync.record(config, sync.inSyncAtMillis());
        }
        admin.close(budget.remaining());
        completions.shutdown();
        // Streams closed the stores, which ends any scan still running.
        hashing.shutdown();
        LOG.info("colo {}: closed in {} ms", config.colo(), within.minus(budget.remaining()).toMillis());
    }

    /**
     * Removes the static member of the stream thread named {@code threadName} from the group, as
     * {@code KafkaStreams#removeStreamThread} does (see {@link StreamThreadFailures} for why a
     * replaced thread needs it). Streams names its threads {@code <client.id>-StreamThread-<n>} and
     * gives each consumer {@code <group.instance.id>-<n>}; both are the application id here.
     */
    private static void removeStaticMember(Admin admin, MaterializerConfig config, String threadName) {
        int at = threadName.lastIndexOf(STREAM_THREAD);
        if (!config.staticMembership() || at < 0) {
            return;
        }
        String member = config.applicationId() + "-" + threadName.substring(at + STREAM_THREAD.length());
        try {
            admin.removeMembersFromConsumerGroup(config.applicationId(),
                    new RemoveMembersFromConsumerGroupOptions(List.of(new MemberToRemove(member)))).all().get(5, TimeUnit.SECONDS);
            LOG.info("colo {}: removed the failed stream thread's member {} from group {}", config.colo(), member,
                    config.applicationId());
        } catch (ExecutionException e) {
            // Unknown member: it had not joined (or was already expired); nothing holds the rebalance.
            if (!(e.getCause() instanceof UnknownMemberIdException)) {
                LOG.warn("colo {}: could not remove member {} of a failed stream thread (the replacement waits until its "
                        + "session expires): {}", config.colo(), member, e.getCause().toString());
            }
        } catch (TimeoutException e) {
            LOG.warn("colo {}: removing member {} of a failed stream thread timed out", config.colo(), member);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes the application's state and the record of when it was in sync; Streams restores it from the topic. */
    private static void wipe(MaterializerConfig config, Path appDir) {
        StateDirectoryCheck.wipe(appDir);
        LastInSync.forget(config);
    }

    private void startPoisonScan() {
        if (poisonScan != null) {
            DaemonThreads.newThread("colo-" + config.colo() + "-poison-scan", poisonScan).start();
        }
    }
}
