package io.tenantindex.colo;

import java.time.Instant;
import java.util.Optional;

/** Operator actions on a colo's replica (the admin endpoints), separate from the read path. */
public interface ReplicaAdmin {
    /** Starts a blue/green rebuild from the topic, or returns the one already running (a failed one is not). */
    RebuildProgress startRebuild();

    /** The running or last rebuild of this process, if any. */
    Optional<RebuildProgress> rebuildProgress();

    /**
     * Replica generation, persisted with the state: grows with every completed rebuild (by more than
     * one when a rebuild was interrupted by a crash and started again under a fresh number).
     */
    long generation();

    /** Why this process wiped its replica's local state at start and restored it from the topic, if it did. */
    Optional<StartupRebuild> startupRebuild();

    /**
     * @param state   running, done (switched to) or failed (timed out; the serving generation stays)
     * @param percent records applied by the new generation / records the serving one had applied at
     *                the start (an estimate: compaction and newer writes move both); 100 once switched
     * @param error   why it failed, null unless it did
     */
    record RebuildProgress(long generation, String state, Instant startedAt, Instant finishedAt,
                           long recordsApplied, long recordsExpected, double percent,
                           double recordsPerSecond, Long etaSeconds, String error) {
        public boolean failed() {
            return error != null;
        }
    }

    /** @param at when the process started; {@code reason} says what made the local state untrustworthy */
    record StartupRebuild(Instant at, String reason) {
    }
}
