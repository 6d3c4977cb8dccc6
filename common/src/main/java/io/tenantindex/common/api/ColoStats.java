package io.tenantindex.common.api;

import java.util.Map;

/**
 * A colo's {@code GET /stats}: its replica, its lookup counters since the process started and its
 * usage emitter. Read by the writer's status page and the benchmarks.
 *
 * @param status        restoring, ready or degraded
 * @param position      partition → offset of the last applied record
 * @param lag           records behind Kafka (-1 unknown)
 * @param lastAppliedAt ISO-8601, null before the first record
 * @param reReadRecords records read from Kafka since start (restored + processed)
 * @param rebuild       the running or last rebuild of this process, null when none ran
 */
public record ColoStats(String colo, String status, boolean ready, long entries, long hits, long misses, double hitRatio,
                        long notReady, long errors, Map<Integer, Long> position, long lag,
                        Map<Integer, Long> lagByPartition, String lastAppliedAt, long stalenessMs, long poisonRecords,
                        long reReadRecords, long restoredRecords, long restoreTotal, UsageCounts usage, long generation,
                        RebuildStatus rebuild) {
    public ColoStats {
        position = PartitionMaps.copy(position);
        lagByPartition = PartitionMaps.copy(lagByPartition);
    }

    /** Every lookup the colo answered, whatever its outcome. */
    public long lookups() {
        return hits + misses + notReady + errors;
    }

    /** Usage events by fate: acknowledged by Kafka, dropped (buffer full) or refused by Kafka. */
    public record UsageCounts(long emitted, long dropped, long failed) {
    }
}
