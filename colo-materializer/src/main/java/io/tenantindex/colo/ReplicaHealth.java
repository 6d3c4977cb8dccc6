package io.tenantindex.colo;

import io.tenantindex.colo.IndexReplica.Phase;
import io.tenantindex.colo.IndexReplica.ReplicaState;
import io.tenantindex.colo.IndexReplica.ReplicaStats;
import io.tenantindex.common.kafka.TopicAdmin;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one generation stands: readiness (caught up with the end offsets seen at start, and from then
 * on a running task of this instance serving every partition: a partition lost to a rebalance,
 * a task migration or a failed stream thread makes it not ready until it runs here again), degraded (Kafka unreachable: keep serving the last applied state), lag per
 * partition and staleness, and the figures of {@code /stats}; it feeds {@link SyncWatch}. {@link #refresh()} runs every
 * {@code colo.refresh.interval.ms} on the materializer's scheduler and drives all of it by asking
 * Kafka for end offsets.
 */
final class ReplicaHealth {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaHealth.class);
    private static final Duration TAIL_TIMEOUT = Duration.ofSeconds(10);

    private final MaterializerConfig config;
    private final Admin admin;
    private final KafkaStreams streams;
    private final AppliedPositions positions;
    private final PoisonRecords poison;
    private final ReplicaReader reader;
    private final ScheduledExecutorService scheduler;
    private final Runnable onReady;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final long startedAtMillis;
    private volatile boolean readinessArmed;
    private volatile Instant degradedSince;
    private volatile String degradedReason;
    private volatile Map<Integer, Long> lagByPartition = Map.of();
    private volatile long lag = -1;
    private volatile long currentAtMillis;
    private volatile long armedAtMillis;
    private final SyncWatch sync;
    private List<Integer> missingLogged = List.of();

    /** {@code onReady} runs once, on the scheduler, right after the replica became ready. */
    ReplicaHealth(MaterializerConfig config, Admin admin, KafkaStreams streams, AppliedPositions positions, PoisonRecords poison,
                  ReplicaReader reader, ScheduledExecutorService scheduler, long startedAtMillis, SyncWatch sync,
                  Runnable onReady) {
        this.config = config;
        this.admin = admin;
        this.streams = streams;
        this.positions = positions;
        this.poison = poison;
        this.reader = reader;
        this.scheduler = scheduler;
        this.startedAtMillis = startedAtMillis;
        this.sync = sync;
        this.onReady = onReady;
    }

    /** Completes when the replica has applied everything committed before it started. */
    CompletableFuture<Void> whenReady() {
        return ready.copy();
    }

    boolean degraded() {
        return degradedSince != null;
    }

    ReplicaState state() {
        Instant since = degradedSince;
        boolean wasReady = ready.isDone();
        boolean isReady = wasReady && reader.allPartitionsLive();
        Phase phase = since != null ? Phase.DEGRADED : isReady ? Phase.READY : wasReady ? Phase.REBALANCING : Phase.RESTORING;
        long current = currentAtMillis > 0 ? currentAtMillis : startedAtMillis;
        return new ReplicaState(phase, isReady, lag, Math.max(0, System.currentTimeMillis() - current), since, degradedReason);
    }

    ReplicaStats stats() {
        long lastApplied = positions.lastAppliedAtMillis();
        return new ReplicaStats(config.colo(), state(), reader.entries(), positions.snapshot(), lagByPartition,
                lastApplied > 0 ? Instant.ofEpochMilli(lastApplied) : null, poison.count(),
                positions.restoredRecords(), positions.restoreTotal(), positions.reReadRecords());
    }

    void refresh() {
        try {
            long asOf = System.currentTimeMillis();
            Map<TopicPartition, Long> ends = TopicAdmin.endOffsets(admin, config.indexTopic());
            reader.partitionsAtLeast(ends.size());
            if (!readinessArmed) {
                armedAtMillis = asOf;
                armReadiness(CommittedTail.lastCommittedRecords(config.kafka(), ends, TAIL_TIMEOUT));
            }
            updateLag(ends);
            sync.checked(asOf, ends);
            logPartitionChanges();
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

    void markDegraded(Exception e) {
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
     * Ready only once every partition reads, not merely once applied: lookups would get 503s, and a
     * rebuild would switch to a replica that cannot answer yet (see {@link ReplicaReader#allPartitionsQueryable()}).
     */
    private void readyOnceQueryable() {
        if (!reader.allPartitionsQueryable()) {
            if (!scheduler.isShutdown()) {
                scheduler.schedule(this::readyOnceQueryable, 20, TimeUnit.MILLISECONDS);
            }
            return;
        }
        sync.caughtUp(armedAtMillis, System.currentTimeMillis());
        if (ready.complete(null)) {
            LOG.info("colo {}: ready after {} ms, {} records read from Kafka ({} restored)", config.colo(),
                    System.currentTimeMillis() - startedAtMillis, positions.reReadRecords(), positions.restoredRecords());
            onReady.run();
        }
    }

    /** Says when a ready replica loses partitions and when it serves all of them again. */
    private void logPartitionChanges() {
        if (!ready.isDone()) {
            return;
        }
        List<Integer> missing = reader.missingPartitions();
        if (!missing.equals(missingLogged)) {
            if (missing.isEmpty()) {
                LOG.info("colo {}: every partition is served here again: ready", config.colo());
            } else {
                LOG.warn("colo {}: partitions {} are not served by a running task here (rebalance, migration or a failed "
                        + "stream thread): not ready, their lookups answer 503 until they are back", config.colo(), missing);
            }
            missingLogged = missing;
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
                    || !config.indexTopic().equals(name.tags().get("topic")) || partition == null
                    || client == null || client.contains("restore")) {
                continue;
            }
            if (e.getValue().metricValue() instanceof Double d && !d.isNaN()) {
                out.merge(Integer.parseInt(partition), d, Math::max);
            }
        }
        return out;
    }
}
