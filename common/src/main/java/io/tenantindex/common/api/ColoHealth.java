package io.tenantindex.common.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A colo's {@code GET /health} and {@code /health/ready}. The degraded fields are present only while
 * Kafka is unreachable, {@code progress} only while the replica restores, {@code rebuild} only while
 * a rebuild runs or after it failed (until the next one starts), {@code startupRebuild} only when the
 * process found its local state untrustworthy at start (corrupt, or too old to have seen every
 * delete) and restored it from the topic.
 *
 * @param status restoring, ready or degraded
 */
public record ColoHealth(String colo, String status, boolean ready, long lag, long stalenessMs,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String degradedSince,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String degradedReason,
                         @JsonInclude(JsonInclude.Include.NON_NULL) RestoreProgress progress,
                         @JsonInclude(JsonInclude.Include.NON_NULL) RebuildStatus rebuild,
                         @JsonInclude(JsonInclude.Include.NON_NULL) StartupRebuild startupRebuild) {

    public record RestoreProgress(long restoredRecords, long restoreTotal, double percent) {
    }

    /** @param at when the process started (ISO-8601); {@code reason} why it did not trust its local state */
    public record StartupRebuild(String at, String reason) {
    }
}
