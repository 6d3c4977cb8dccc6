package io.tenantindex.common;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What is left of one stopping process's {@code shutdown.timeout.ms}: each part of the stop (HTTP,
 * Streams leaving its group, producers flushing) takes a share of what is left, so the whole stop
 * ends within the budget, and so within the platform's grace period, instead of being killed
 * (which under exactly-once costs a colo its local state).
 */
public final class ShutdownBudget {
    public static final long DEFAULT_MS = 8_000;

    private final long deadlineNanos;

    private ShutdownBudget(Duration total) {
        this.deadlineNanos = System.nanoTime() + total.toNanos();
    }

    /** The configured budget of a service's whole stop. */
    public static Duration from(Settings s) {
        return Duration.ofMillis(s.longValue(ConfigKeys.SHUTDOWN_TIMEOUT_MS, DEFAULT_MS, 100, 600_000));
    }

    /** Starts counting down {@code total} now. */
    public static ShutdownBudget start(Duration total) {
        return new ShutdownBudget(total);
    }

    /** What is left, never negative. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /** {@code fraction} of what is left, for a part that must leave time to the parts after it. */
    public Duration share(double fraction) {
        return Duration.ofMillis((long) (TimeUnit.NANOSECONDS.toMillis(remaining().toNanos()) * fraction));
    }
}
