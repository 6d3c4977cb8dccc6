package io.tenantindex.colo;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When one generation's replica last held every committed record of the index topic, and whether
 * it has been out of sync too long to trust: a stuck or paused stream thread, or Kafka unreachable,
 * for longer than half the topic's {@code delete.retention.ms} (see {@link LastInSync}) may have let
 * a delete be compacted away before the replica read it. Fed by {@link ReplicaHealth} on its
 * scheduler thread, from the end offsets of each refresh.
 */
final class SyncWatch {
    private static final Logger LOG = LoggerFactory.getLogger(SyncWatch.class);
    /** Sync is seen once per refresh: a window of fewer refreshes than this cannot be watched without false alarms. */
    private static final int MIN_REFRESHES_PER_WINDOW = 10;

    private final MaterializerConfig config;
    private final AppliedPositions positions;
    private final LongSupplier retentionLookup;
    private final CompletableFuture<String> outOfSync = new CompletableFuture<>();
    private volatile long inSyncAtMillis;
    /** The sync point gaps are measured from: 0 unknown, -1 none yet (restored from scratch, not ready yet). */
    private long checkedSinceMillis;
    /** End offsets (and when they were read) the replica had not caught up with when read. */
    private Map<TopicPartition, Long> pendingEnds;
    private long pendingAsOfMillis;
    private long deleteRetentionMs = -1;

    /**
     * @param trustedSinceMillis when the state on disk was last in sync, 0 if unknown, -1 if there
     *                           is none (watched from the moment it is ready: a slow restore from
     *                           scratch would not be helped by another one)
     * @param retentionLookup    the topic's {@code delete.retention.ms}, asked once Kafka has answered a refresh
     */
    SyncWatch(MaterializerConfig config, AppliedPositions positions, long trustedSinceMillis, LongSupplier retentionLookup) {
        this.config = config;
        this.positions = positions;
        this.checkedSinceMillis = trustedSinceMillis;
        this.retentionLookup = retentionLookup;
    }

    /**
     * Epoch millis before the last end-offset check whose records this replica has all applied
     * (0: none yet): what {@link LastInSync} records on a clean close.
     */
    long inSyncAtMillis() {
        return inSyncAtMillis;
    }

    /** Completes, with the reason, once the replica was out of sync too long to be trusted; it must be rebuilt. */
    CompletableFuture<String> whenOutOfSync() {
        return outOfSync.copy();
    }

    /**
     * Readiness: the replica holds every record committed before {@code asOfMillis}. A replica restored
     * from scratch is watched from now on: waiting for its first check in sync instead left a stop
     * right after readiness unwatched (a colo frozen then never rebuilt; CompactedDeleteIT in CI).
     */
    void caughtUp(long asOfMillis, long nowMillis) {
        if (checkedSinceMillis < 0) {
            checkedSinceMillis = nowMillis;
        }
        advance(asOfMillis, nowMillis);
    }

    /** A refresh read {@code ends} at {@code asOfMillis}. */
    void checked(long asOfMillis, Map<TopicPartition, Long> ends) {
        advance(syncPoint(asOfMillis, ends), asOfMillis);
    }

    /**
     * In sync as of a check once every partition has applied what that check found: now, or an
     * earlier check caught up with since (so that a replica under steady writes, never exactly at
     * the end when asked, still counts as in sync as of a moment ago); 0 if neither.
     */
    private long syncPoint(long asOfMillis, Map<TopicPartition, Long> ends) {
        if (appliedUpTo(ends)) {
            pendingEnds = null;
            return asOfMillis;
        }
        long point = 0;
        if (pendingEnds != null && appliedUpTo(pendingEnds)) {
            point = pendingAsOfMillis;
            pendingEnds = null;
        }
        if (pendingEnds == null) {
            pendingEnds = ends;
            pendingAsOfMillis = asOfMillis;
        }
        return point;
    }

    private void advance(long point, long nowMillis) {
        inSyncAtMillis = Math.max(inSyncAtMillis, point);
        if (checkedSinceMillis < 0) {
            return; // restored from scratch and not ready yet
        }
        long since = checkedSinceMillis;
        long gap = (point > since ? point : nowMillis) - since;
        checkedSinceMillis = Math.max(since, point);
        if (outOfSync.isDone() || !watchable() || LastInSync.trusted(gap, deleteRetentionMs)) {
            return;
        }
        String why = since == 0 ? "local state of unknown age, not checked against " + config.indexTopic() + " at start"
                : "not in sync with " + config.indexTopic() + " for " + gap + " ms (since " + Instant.ofEpochMilli(since)
                + "), longer than half its delete.retention.ms (" + deleteRetentionMs + " ms)";
        LOG.error("colo {}: {}: deletes made meanwhile may be compacted away unseen; rebuilding the replica from the topic",
                config.colo(), why);
        outOfSync.complete(why);
    }

    private boolean watchable() {
        long minWindow = MIN_REFRESHES_PER_WINDOW * config.refreshInterval().toMillis();
        if (deleteRetentionMs < 0) {
            deleteRetentionMs = retentionLookup.getAsLong();
            if (deleteRetentionMs / 2 < minWindow) {
                LOG.warn("colo {}: delete.retention.ms of {} ({} ms) is too short to watch this colo's sync every {} ms at run "
                        + "time; only the check at start applies", config.colo(), config.indexTopic(), deleteRetentionMs,
                        config.refreshInterval().toMillis());
            }
        }
        return deleteRetentionMs / 2 >= minWindow;
    }

    /**
     * Whether every partition's last applied record is at most a commit marker below its end. The
     * writer writes transactionally, so that is its last record (a record written outside a
     * transaction, as no writer of the index does, could be the one not applied yet). An aborted
     * transaction at a partition's end keeps it from counting until the next commit: that errs on
     * the side of a rebuild.
     */
    private boolean appliedUpTo(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(e -> positions.appliedOffset(e.getKey().partition()) + 2 >= e.getValue());
    }
}
