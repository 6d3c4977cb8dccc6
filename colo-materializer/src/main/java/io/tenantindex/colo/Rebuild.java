package io.tenantindex.colo;

import io.tenantindex.colo.ReplicaAdmin.RebuildProgress;
import io.tenantindex.common.api.RebuildStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * One blue/green rebuild of {@link RebuildableReplica}: the new generation and how far it got. It
 * ends switched to ({@code finishedAt} set) or failed ({@code error} set first, then {@code finishedAt}).
 */
final class Rebuild {
    final long generation;
    final ColoMaterializer fresh;
    final Instant startedAt;
    final long expected;
    volatile Instant finishedAt;
    volatile String error;

    Rebuild(long generation, ColoMaterializer fresh, Instant startedAt, long expected) {
        this.generation = generation;
        this.fresh = fresh;
        this.startedAt = startedAt;
        this.expected = expected;
    }

    RebuildProgress progress() {
        Instant end = finishedAt;
        String failure = error;
        boolean switched = end != null && failure == null;
        long applied = fresh.positions().reReadRecords();
        double seconds = Math.max(0.001, Duration.between(startedAt, end == null ? Instant.now() : end).toMillis() / 1000.0);
        double rate = applied / seconds;
        double percent = switched ? 100.0 : expected == 0 ? 0.0 : Math.min(99.9, 100.0 * applied / expected);
        Long eta = switched ? Long.valueOf(0) : end != null || rate <= 0 ? null
                : Long.valueOf((long) Math.ceil(Math.max(0, expected - applied) / rate));
        String state = end == null ? RebuildStatus.RUNNING : switched ? RebuildStatus.DONE : RebuildStatus.FAILED;
        return new RebuildProgress(generation, state, startedAt, end, applied, expected, percent, rate, eta, failure);
    }
}
