package io.tenantindex.lookup.usage;

import io.tenantindex.schemas.LookupOutcome;

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
        public void close() {
        }
    };

    void record(String tenantId, LookupOutcome outcome, long latencyMicros, String requestId);

    @Override
    void close();
}
