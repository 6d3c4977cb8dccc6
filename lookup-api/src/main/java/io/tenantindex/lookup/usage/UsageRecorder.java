package io.tenantindex.lookup.usage;

import io.tenantindex.schemas.LookupOutcome;
import java.time.Duration;

/**
 * Where a colo reports each lookup it answered. Implementations must never block or fail the
 * lookup: they buffer, and drop (and count) when the buffer is full.
 */
public interface UsageRecorder extends AutoCloseable {
    UsageRecorder NONE = new UsageRecorder() {
        @Override
        public void record(String tenantId, LookupOutcome outcome, long latencyMicros, String requestId) {
        }

        @Override
        public long emitted() {
            return 0;
        }

        @Override
        public long dropped() {
            return 0;
        }

        @Override
        public long failed() {
            return 0;
        }

        @Override
        public void close(Duration within) {
        }
    };

    void record(String tenantId, LookupOutcome outcome, long latencyMicros, String requestId);

    /** Events handed to Kafka and acknowledged. */
    long emitted();

    /** Events dropped because the buffer was full (or left over at close): never a lookup's problem. */
    long dropped();

    /** Events Kafka refused. */
    long failed();

    /** Sends what is buffered within its own close timeout. */
    @Override
    default void close() {
        close(Duration.ofMillis(Long.MAX_VALUE));
    }

    /** Sends what is buffered within {@code within} (or its own close timeout, if shorter). */
    void close(Duration within);
}
