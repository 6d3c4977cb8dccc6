package io.tenantindex.colo;

import io.tenantindex.common.config.StateDirectories;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a colo does when its stream thread dies: replace it, but not in a tight loop. A failure
 * that comes back at once (a full or read-only disk under the state directory is the usual one)
 * waits 1, 2, 4 … up to 60 s before each replacement, and the log says what is wrong with the
 * disk instead of repeating a RocksDB stack trace many times a second. A failure more than five
 * minutes after the previous one starts again without a wait. {@link #close()} ends any wait.
 *
 * <p>Before the replacement starts, the dying thread's static member is removed from the group
 * ({@code departed}, given the thread's name). Kafka Streams 4.3 closes a replaced thread's consumer
 * with {@code REMAIN_IN_GROUP} and gives the new thread the next thread index, so a new
 * {@code group.instance.id}: the dead member would otherwise hold the rebalance, and with it every
 * partition of the instance, until its session expires ({@code session.timeout.ms}, 45 s). Not
 * when the thread was fenced: then another process holds that member id.
 */
final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    static final Duration QUIET_RESET = Duration.ofMinutes(5);

    private final String colo;
    private final Path stateDir;
    private final LongSupplier nanoClock;
    private final Consumer<String> departed;
    private final CountDownLatch closed = new CountDownLatch(1);
    private int consecutive;
    private long lastFailureNanos;

    StreamThreadFailures(String colo, Path stateDir, LongSupplier nanoClock, Consumer<String> departed) {
        this.colo = colo;
        this.stateDir = stateDir;
        this.nanoClock = nanoClock;
        this.departed = departed;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable e) {
        Duration wait = recordFailure();
        String disk = StateDirectories.diskProblem(e);
        if (disk != null) {
            LOG.error("colo {}: the state directory {} is on a {} disk: the stream thread stopped and the colo applies no "
                    + "new records until there is room; replacing it in {} s (failure {} in a row): {}",
                    colo, stateDir.toAbsolutePath(), disk, wait.toSeconds(), consecutive, e.toString());
        } else {
            LOG.error("colo {}: stream thread failed (failure {} in a row), replacing it in {} s", colo, consecutive, wait.toSeconds(), e);
        }
        try {
            closed.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!fenced(e)) {
            departed.accept(Thread.currentThread().getName());
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** The wait before replacing the thread after this failure. */
    synchronized Duration recordFailure() {
        long now = nanoClock.getAsLong();
        consecutive = consecutive > 0 && now - lastFailureNanos < QUIET_RESET.toNanos() ? consecutive + 1 : 1;
        lastFailureNanos = now;
        if (consecutive == 1) {
            return Duration.ZERO;
        }
        long seconds = 1L << Math.min(consecutive - 2, 6);
        return Duration.ofSeconds(Math.min(seconds, MAX_BACKOFF.toSeconds()));
    }

    private static boolean fenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FencedInstanceIdException) {
                return true;
            }
        }
        return false;
    }

    void close() {
        closed.countDown();
    }
}
