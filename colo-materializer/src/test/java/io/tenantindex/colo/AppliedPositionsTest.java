package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class AppliedPositionsTest {
    private final AppliedPositions positions = new AppliedPositions("idx", () -> 42L);

    @Test
    void shouldCompleteWaitersOnlyOnceTheirOffsetIsApplied() {
        CompletableFuture<Void> at5 = positions.awaitApplied(1, 5);
        CompletableFuture<Void> at9 = positions.awaitApplied(1, 9);
        positions.processed(1, 4);
        assertThat(at5).isNotDone();
        positions.processed(0, 7);
        assertThat(at5).isNotDone();
        positions.processed(1, 6);
        assertThat(at5).isCompleted();
        assertThat(at9).isNotDone();
        assertThat(positions.awaitApplied(1, 6)).isCompleted();
        assertThat(positions.appliedOffset(1)).isEqualTo(6);
        assertThat(positions.snapshot()).containsEntry(0, 7L).containsEntry(1, 6L);
        assertThat(positions.lastAppliedAtMillis()).isEqualTo(42L);
    }

    @Test
    void shouldCountRestoredRecordsAndAdvanceOnRestoreOfItsTopicOnly() {
        TopicPartition tp = new TopicPartition("idx", 2);
        CompletableFuture<Void> wait = positions.awaitApplied(2, 99);
        positions.onRestoreStart(tp, "store", 0, 100);
        positions.onRestoreStart(new TopicPartition("other", 2), "store", 0, 1000);
        assertThat(positions.restoring()).isTrue();
        positions.onBatchRestored(tp, "store", 49, 50);
        positions.onBatchRestored(new TopicPartition("other", 2), "store", 500, 500);
        assertThat(wait).isNotDone();
        positions.onBatchRestored(tp, "store", 99, 50);
        positions.onRestoreEnd(tp, "store", 100);
        assertThat(wait).isCompleted();
        assertThat(positions.restoring()).isFalse();
        assertThat(positions.restoredRecords()).isEqualTo(100);
        assertThat(positions.restoreTotal()).isEqualTo(100);
        assertThat(positions.reReadRecords()).isEqualTo(100);
    }

    @Test
    void shouldSeedWithoutCountingAsRead() {
        positions.seed(3, 10);
        assertThat(positions.appliedOffset(3)).isEqualTo(10);
        assertThat(positions.reReadRecords()).isZero();
        assertThat(positions.lastAppliedAtMillis()).isZero();
    }

    @Test
    void shouldForgetWaitersThatTimedOut() throws Exception {
        CompletableFuture<Void> wait = positions.awaitApplied(0, 3).orTimeout(1, TimeUnit.MILLISECONDS);
        assertThat(wait).failsWithin(5, TimeUnit.SECONDS);
        positions.processed(0, 3);
        // A waiter registered afterwards for the same offset completes at once; the timed-out one stays failed.
        assertThat(positions.awaitApplied(0, 3)).isCompleted();
        assertThat(wait).isCompletedExceptionally();
    }
}
