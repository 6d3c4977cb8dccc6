package io.tenantindex.colo;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.tenantindex.common.ConsistencyToken;
import io.tenantindex.common.ErrorType;
import io.tenantindex.common.IndexDigest;
import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.common.TenantIndexException;
import io.tenantindex.common.config.StateDirectories;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One colo's replica of the tenant index: a Kafka Streams application ({@code tenant-index-colo-<COLO>})
 * materializing the whole index topic into RocksDB, and the {@link IndexReplica} view the lookup API
 * reads through interactive queries.
 *
 * <p>Besides Streams it runs one small scheduler that asks Kafka for end offsets every
 * {@code colo.refresh.interval.ms}: that drives readiness (caught up with the end offsets seen at
 * start), lag and staleness, and notices when Kafka is unreachable (degraded: keep serving the last
 * applied state, Streams catches up by itself when Kafka returns).
 */
public final class ColoMaterializer implements IndexReplica, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ColoMaterializer.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEGRADED_CLOSE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration TAIL_TIMEOUT = Duration.ofSeconds(10);

    private final MaterializerConfig config;
    private final String topic;
    private final AppliedPositions positions;
    private final PoisonRecords poison = new PoisonRecords();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService completions;
    private final Admin admin;
    private final KafkaStreams streams;
    /** Set when the index was bulk-restored (see {@link BulkRestore}); runs once the replica is ready. */
    private final PoisonScan poisonScan;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final long startedAtMillis = System.currentTimeMillis();

    private final AtomicReferenceArray<ReadOnlyKeyValueStore<String, IndexRecord>> stores;
    private final LiveStores liveStores;
    private volatile int partitions;
    private volatile boolean readinessArmed;
    private final StreamThreadFailures threadFailures;
    private volatile Instant degradedSince;
    private volatile String degradedReason;
    private volatile Map<Integer, Long> lagByPartition = Map.of();
    private volatile long lag = -1;
    private volatile long currentAtMillis;

    private ColoMaterializer(MaterializerConfig config, SchemaRegistryClient registry) {
        this.config = config;
        this.topic = config.indexTopic();
        this.positions = new AppliedPositions(topic, System::currentTimeMillis);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("colo-" + config.colo() + "-refresh"));
        // Read-your-writes continuations run here, never on the stream thread that completes the waits.
        this.completions = Executors.newFixedThreadPool(2, daemon("colo-" + config.colo() + "-ryw"));

        Properties adminProps = config.kafka().clientProperties();
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        this.admin = Admin.create(adminProps);
        this.partitions = config.topics().indexPartitions();
        Map<Integer, Long> bulkRestored = Map.of();
        try {
            TopicAdmin.ensureTopics(admin, List.of(config.topics().index(), config.dlqSpec()));
            this.partitions = TopicAdmin.partitionCount(admin, topic);
            bulkRestored = BulkRestore.commitStableEnds(admin, config.applicationId(), topic);
        } catch (RuntimeException e) {
            markDegraded(e);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("colo {}: could not prepare a bulk restore, reading the index record by record: {}", config.colo(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!bulkRestored.isEmpty()) {
            LOG.info("colo {}: new consumer group {}: restoring the index in bulk up to offsets {}", config.colo(),
                    config.applicationId(), bulkRestored);
        }

        this.stores = new AtomicReferenceArray<>(Math.max(partitions, config.topics().indexPartitions()));
        this.liveStores = new LiveStores(stores.length());
        Properties props = ColoTopology.getStreamsConfig(config);
        IndexRecordSerde values = new IndexRecordSerde(registry);
        this.streams = new KafkaStreams(ColoTopology.buildTopology(new StreamsBuilder(), props, config,
                values, positions, poison, liveStores), props);
        this.poisonScan = bulkRestored.isEmpty() ? null : new PoisonScan(config, bulkRestored, values.deserializer(), poison);
        // Despite its name this listener hears the restores of every store, not only global ones.
        streams.setGlobalStateRestoreListener(positions);
        this.threadFailures = new StreamThreadFailures(config.colo(), config.stateDir(), System::nanoTime);
        streams.setUncaughtExceptionHandler(threadFailures);
        streams.setStateListener((now, before) -> {
            LOG.info("colo {}: streams {} -> {}", config.colo(), before, now);
            if (now == KafkaStreams.State.RUNNING) {
                scheduler.execute(this::seedFromCommittedOffsets);
            }
        });
    }

    /** Starts the colo's Streams application; returns at once (see {@link #state()} for readiness). */
    public static ColoMaterializer start(MaterializerConfig config, SchemaRegistryClient registry) {
        // Before any thread or client exists: an unusable directory is a clear configuration error,
        // a corrupted store is wiped so that Streams restores it from the topic instead of failing
        // every task initialisation (and every replaced stream thread) on it.
        StateDirectories.requireUsable(config.stateDir());
        Path appDir = config.stateDir().toAbsolutePath().resolve(config.applicationId());
        StateDirectoryCheck.problem(appDir, ColoTopology.STORE).ifPresent(problem -> {
            LOG.error("colo {}: local state is corrupt or unreadable ({}); wiping {} and restoring the replica from {}",
                    config.colo(), problem, appDir, config.indexTopic());
            StateDirectoryCheck.wipe(appDir);
        });
        ColoMaterializer colo = new ColoMaterializer(config, registry);
        colo.streams.start();
        colo.scheduler.scheduleWithFixedDelay(colo::refresh, 0, config.refreshInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("colo {}: started application {} on {} (state in {})", config.colo(), config.applicationId(),
                config.indexTopic(), config.stateDir().toAbsolutePath());
        return colo;
    }

    public MaterializerConfig config() {
        return config;
    }

    /** Completes when the replica has applied everything committed before it started. */
    public CompletableFuture<Void> whenReady() {
        return ready.copy();
    }

    public AppliedPositions positions() {
        return positions;
    }

    public long poisonRecords() {
        return poison.count();
    }

    /** Binds Kafka Streams' own client metrics (consumer lag, commit rates, RocksDB); close the binder to unbind. */
    public KafkaStreamsMetrics bindStreamsMetrics(MeterRegistry registry) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
        binder.bindTo(registry);
        return binder;
    }

    @Override
    public String colo() {
        return config.colo();
    }

    @Override
    public Optional<TenantRegistration> lookup(String tenantId) {
        int p = partitionOf(tenantId);
        TimestampedKeyValueStore<String, IndexRecord> live = liveStores.get(p);
        if (live != null) {
            try {
                ValueAndTimestamp<IndexRecord> found = live.get(tenantId);
                return registrationOf(tenantId, found == null ? null : found.value());
            } catch (InvalidStateStoreException closedMeanwhile) {
                // The task closed after we took its store: ask interactive queries where the partition is now.
            }
        }
        try {
            return registrationOf(tenantId, store(p).get(tenantId));
        } catch (InvalidStateStoreException e) {
            throw storeUnavailable("partition " + p + ": " + e.getMessage());
        }
    }

    @Override
    public CompletableFuture<Optional<TenantRegistration>> lookupAtLeast(String tenantId, ConsistencyToken token, Duration maxWait) {
        if (!token.topic().equals(topic) || token.partition() >= partitions) {
            throw new TenantIndexException(ErrorType.INVALID_TOKEN, "consistency token names partition "
                    + token.partition() + " but " + topic + " has " + partitions);
        }
        // The tracker hears of a record only after the store holds it (restores, processing, and
        // the committed offsets of a warm restart), so "applied" here means "readable from the store".
        if (positions.appliedOffset(token.partition()) >= token.offset()) {
            return CompletableFuture.completedFuture(lookup(tenantId));
        }
        return positions.awaitApplied(token.partition(), token.offset())
                .orTimeout(Math.max(0, maxWait.toMillis()), TimeUnit.MILLISECONDS)
                .handleAsync((applied, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                        if (cause instanceof TimeoutException) {
                            throw new TenantIndexException(ErrorType.NOT_UP_TO_BOUND, "colo " + config.colo()
                                    + " has not applied partition " + token.partition() + " offset " + token.offset()
                                    + " within " + maxWait.toMillis() + " ms (applied: "
                                    + positions.appliedOffset(token.partition()) + ")", RETRY_AFTER, null);
                        }
                        throw new CompletionException(cause);
                    }
                    return lookup(tenantId);
                }, completions);
    }

    @Override
    public ReplicaState state() {
        Instant since = degradedSince;
        boolean isReady = ready.isDone();
        Phase phase = since != null ? Phase.DEGRADED : isReady ? Phase.READY : Phase.RESTORING;
        long current = currentAtMillis > 0 ? currentAtMillis : startedAtMillis;
        return new ReplicaState(phase, isReady, lag, Math.max(0, System.currentTimeMillis() - current), since, degradedReason);
    }

    @Override
    public ReplicaStats stats() {
        long entries;
        try {
            entries = streams.store(StoreQueryParameters.fromNameAndType(ColoTopology.STORE,
                    QueryableStoreTypes.<String, IndexRecord>keyValueStore())).approximateNumEntries();
        } catch (InvalidStateStoreException e) {
            entries = -1;
        }
        long lastApplied = positions.lastAppliedAtMillis();
        return new ReplicaStats(config.colo(), state(), entries, positions.snapshot(), lagByPartition,
                lastApplied > 0 ? Instant.ofEpochMilli(lastApplied) : null, poison.count(),
                positions.restoredRecords(), positions.restoreTotal(), positions.reReadRecords());
    }

    @Override
    public TenantPage page(String after, int limit) {
        List<KeyValueIterator<String, IndexRecord>> iterators = new ArrayList<>();
        try {
            PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing((Head h) -> h.current.key));
            for (int p = 0; p < partitions; p++) {
                KeyValueIterator<String, IndexRecord> it = after == null ? store(p).all() : store(p).range(after, null);
                iterators.add(it);
                Head h = new Head(it);
                if (h.advance()) {
                    heads.add(h);
                }
            }
            // Each partition's store iterates in key-byte order; tenant ids are ASCII, so merging the
            // partitions by String order yields the global id order.
            List<TenantRegistration> items = new ArrayList<>();
            while (items.size() < limit && !heads.isEmpty()) {
                Head h = heads.poll();
                KeyValue<String, IndexRecord> kv = h.current;
                if (!kv.key.equals(after) && kv.value != null && !kv.value.isPoison()) {
                    items.add(kv.value.registration());
                }
                if (h.advance()) {
                    heads.add(h);
                }
            }
            String next = heads.isEmpty() || items.isEmpty() ? null : items.get(items.size() - 1).getTenantId();
            return new TenantPage(items, next);
        } catch (InvalidStateStoreException e) {
            throw storeUnavailable(e.getMessage());
        } finally {
            iterators.forEach(KeyValueIterator::close);
        }
    }

    @Override
    public ReplicaDigest digest() {
        int n = partitions;
        IndexDigest digest = new IndexDigest(n);
        Map<Integer, Long> at = new HashMap<>();
        for (int p = 0; p < n; p++) {
            at.put(p, positions.appliedOffset(p));
            try (KeyValueIterator<String, IndexRecord> it = store(p).all()) {
                while (it.hasNext()) {
                    KeyValue<String, IndexRecord> kv = it.next();
                    if (kv.value != null && !kv.value.isPoison()) {
                        digest.add(p, kv.key, kv.value.registration().getVersion());
                    }
                }
            } catch (InvalidStateStoreException e) {
                throw storeUnavailable("partition " + p + ": " + e.getMessage());
            }
        }
        Map<Integer, PartitionDigest> out = new TreeMap<>();
        for (int p = 0; p < n; p++) {
            out.put(p, new PartitionDigest(digest.partitionHash(p), digest.partitionEntries(p), at.get(p)));
        }
        return new ReplicaDigest(out, digest.totalHash(), digest.totalEntries());
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        threadFailures.close();
        if (poisonScan != null) {
            poisonScan.close();
        }
        // Leave the group so that a restart is assigned its partitions at once, not after session.timeout.ms.
        // With Kafka unreachable there is no group to leave: do not hold shutdown for the full timeout.
        Duration timeout = degradedSince != null ? DEGRADED_CLOSE_TIMEOUT : CLOSE_TIMEOUT;
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout));
        admin.close(Duration.ofSeconds(degradedSince != null ? 1 : 5));
        completions.shutdown();
        LOG.info("colo {}: closed", config.colo());
    }

    private int partitionOf(String tenantId) {
        return IndexPartitioner.partitionFor(tenantId, partitions);
    }

    /**
     * The store of one partition through the classic interactive-query API. IQv2 queries are not
     * used: in Kafka Streams 4.3 a query takes the store's position lock and then its store lock
     * while the stream thread's put takes them the other way round, which can deadlock the colo
     * (KAFKA-19629, fixed after 4.3.1). A plain get takes only the store lock. Stale (restoring or
     * standby) stores are allowed so that last-known-good state keeps being served; the routes
     * decide from readiness whether to answer.
     */
    private ReadOnlyKeyValueStore<String, IndexRecord> store(int partition) {
        // The handle re-resolves the partition's store on every call, so it can be cached across rebalances.
        boolean cacheable = partition < stores.length();
        ReadOnlyKeyValueStore<String, IndexRecord> store = cacheable ? stores.get(partition) : null;
        if (store == null) {
            try {
                store = streams.store(StoreQueryParameters.fromNameAndType(ColoTopology.STORE,
                        QueryableStoreTypes.<String, IndexRecord>keyValueStore()).withPartition(partition).enableStaleStores());
            } catch (InvalidStateStoreException e) {
                throw storeUnavailable("partition " + partition + " of the store is not hosted here yet: " + e.getMessage());
            }
            if (cacheable) {
                stores.set(partition, store);
            }
        }
        return store;
    }

    private TenantIndexException storeUnavailable(String why) {
        return TenantIndexException.notReady("colo " + config.colo() + " replica is not readable right now: " + why, RETRY_AFTER);
    }

    private static Optional<TenantRegistration> registrationOf(String tenantId, IndexRecord value) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.isPoison()) {
            throw new TenantIndexException(ErrorType.INTERNAL, "the latest record of tenant '" + tenantId
                    + "' cannot be decoded and was dead-lettered: " + value.error());
        }
        return Optional.of(value.registration());
    }

    /**
     * After a (warm) start the group's committed offsets say what the store already holds: under
     * exactly-once the store is flushed with each commit. Seeding the tracker from them lets old
     * tokens be answered at once without waiting for a new record on their partition.
     */
    private void seedFromCommittedOffsets() {
        try {
            admin.listConsumerGroupOffsets(config.applicationId()).partitionsToOffsetAndMetadata()
                    .get(5, TimeUnit.SECONDS).forEach((tp, committed) -> {
                        if (tp.topic().equals(topic) && committed != null && committed.offset() > 0) {
                            positions.seed(tp.partition(), committed.offset() - 1);
                        }
                    });
        } catch (Exception e) {
            LOG.debug("colo {}: no committed offsets to seed positions from: {}", config.colo(), e.toString());
        }
    }

    private void refresh() {
        try {
            Map<TopicPartition, Long> ends = TopicAdmin.endOffsets(admin, topic);
            partitions = Math.max(partitions, ends.size());
            if (!readinessArmed) {
                armReadiness(CommittedTail.lastCommittedRecords(config.kafka(), ends, TAIL_TIMEOUT));
            }
            updateLag(ends);
            if (degradedSince != null) {
                LOG.info("colo {}: Kafka reachable again (degraded since {})", config.colo(), degradedSince);
                degradedSince = null;
                degradedReason = null;
            }
        } catch (Exception e) {
            // close() interrupts a refresh in flight: that is not Kafka being unreachable.
            if (!scheduler.isShutdown()) {
                markDegraded(e);
            }
        }
    }

    private void markDegraded(Exception e) {
        if (degradedSince == null) {
            degradedReason = "Kafka unreachable: " + e.getMessage();
            degradedSince = Instant.now();
            LOG.warn("colo {}: degraded, serving last applied state: {}", config.colo(), e.getMessage());
        }
    }

    private void armReadiness(Map<Integer, Long> targets) {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        targets.forEach((p, offset) -> {
            if (offset >= 0) {
                waits.add(positions.awaitApplied(p, offset));
            }
        });
        readinessArmed = true;
        LOG.info("colo {}: ready once these records are applied: {}", config.colo(), new TreeMap<>(targets));
        // Off the Streams thread that applied the last awaited record.
        CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).thenRun(() -> scheduler.execute(this::readyOnceQueryable));
    }

    /**
     * Applied is not yet queryable: after a restore the state updater has the records in the store a
     * moment before the task runs, and while a restored task moves from the state updater to the
     * stream thread, interactive queries find it in neither (lookups would get 503s, and a rebuild
     * would switch to a replica that cannot answer yet). Ready only once the client runs every task
     * and every partition reads.
     */
    private void readyOnceQueryable() {
        if (!allPartitionsQueryable()) {
            if (!scheduler.isShutdown()) {
                scheduler.schedule(this::readyOnceQueryable, 20, TimeUnit.MILLISECONDS);
            }
            return;
        }
        if (ready.complete(null)) {
            LOG.info("colo {}: ready after {} ms, {} records read from Kafka ({} restored)", config.colo(),
                    System.currentTimeMillis() - startedAtMillis, positions.reReadRecords(), positions.restoredRecords());
            if (poisonScan != null) {
                daemon("colo-" + config.colo() + "-poison-scan").newThread(poisonScan).start();
            }
        }
    }

    private boolean allPartitionsQueryable() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        try {
            for (int p = 0; p < partitions; p++) {
                store(p).approximateNumEntries();
            }
            return true;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    /**
     * Lag per partition: the main consumer's own {@code records-lag} (last stable offset − fetch
     * position, so commit markers do not count) where Kafka reports it, else end offset − next
     * unapplied offset (e.g. while restoring).
     */
    private void updateLag(Map<TopicPartition, Long> ends) {
        Map<Integer, Double> fetchLag = consumerFetchLag();
        Map<Integer, Long> byPartition = new TreeMap<>();
        long total = 0;
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            int p = e.getKey().partition();
            Double m = fetchLag.get(p);
            long l = m != null ? (long) Math.max(0, m) : Math.max(0, e.getValue() - (positions.appliedOffset(p) + 1));
            byPartition.put(p, l);
            total += l;
        }
        lagByPartition = byPartition;
        lag = total;
        if (total == 0) {
            currentAtMillis = System.currentTimeMillis();
        }
    }

    private Map<Integer, Double> consumerFetchLag() {
        Map<Integer, Double> out = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName name = e.getKey();
            String client = name.tags().get("client-id");
            String partition = name.tags().get("partition");
            if (!"records-lag".equals(name.name()) || !"consumer-fetch-manager-metrics".equals(name.group())
                    || !topic.equals(name.tags().get("topic")) || partition == null
                    || client == null || client.contains("restore")) {
                continue;
            }
            if (e.getValue().metricValue() instanceof Double d && !d.isNaN()) {
                out.merge(Integer.parseInt(partition), d, Math::max);
            }
        }
        return out;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static final class Head {
        final KeyValueIterator<String, IndexRecord> it;
        KeyValue<String, IndexRecord> current;

        Head(KeyValueIterator<String, IndexRecord> it) {
            this.it = it;
        }

        boolean advance() {
            if (it.hasNext()) {
                current = it.next();
                return true;
            }
            return false;
        }
    }
}
