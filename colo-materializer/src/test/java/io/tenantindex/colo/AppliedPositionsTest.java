package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.colo.AppliedPositions.ReadTicket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class AppliedPositionsTest {
    private static final TopicPartition P0 = new TopicPartition("idx", 0);
    private final AppliedPositions positions = new AppliedPositions("idx", () -> 42L);

    @Test
    void shouldCompleteWaitersOnlyOnceTheirOffsetIsApplied() {
        positions.serving(0);
        positions.serving(1);
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
        assertThat(positions.appliedOffset(2)).isEqualTo(49);
        positions.onBatchRestored(tp, "store", 99, 50);
        positions.onRestoreEnd(tp, "store", 100);
        assertThat(positions.appliedOffset(2)).isEqualTo(99);
        // Restored is not served: the waiter completes once the task runs.
        assertThat(wait).isNotDone();
        positions.serving(2);
        assertThat(wait).isCompleted();
        assertThat(positions.restoring()).isFalse();
        assertThat(positions.restoredRecords()).isEqualTo(100);
        assertThat(positions.restoreTotal()).isEqualTo(100);
        assertThat(positions.reReadRecords()).isEqualTo(100);
    }

    @Test
    void shouldHoldEverythingBeforeTheCommittedOffsetAfterARestoreWithNothingToRestore() {
        // A warm restart: the checkpoint is the committed offset; the last offsets are commit markers.
        positions.onRestoreStart(P0, "store", 11, 11);
        positions.onRestoreEnd(P0, "store", 0);
        positions.serving(0);
        assertThat(positions.appliedOffset(0)).isEqualTo(10);
        assertThat(positions.awaitApplied(0, 9)).isCompleted();
        assertThat(positions.reReadRecords()).isZero();
        assertThat(positions.lastAppliedAtMillis()).isZero();
    }

    @Test
    void shouldForgetWaitersThatTimedOut() throws Exception {
        positions.serving(0);
        CompletableFuture<Void> wait = positions.awaitApplied(0, 3).orTimeout(1, TimeUnit.MILLISECONDS);
        assertThat(wait).failsWithin(5, TimeUnit.SECONDS);
        positions.processed(0, 3);
        // A waiter registered afterwards for the same offset completes at once; the timed-out one stays failed.
        assertThat(positions.awaitApplied(0, 3)).isCompleted();
        assertThat(wait).isCompletedExceptionally();
    }

    @Test
    void shouldGoBackWhenTheTaskClosesAndItsStoreIsRestoredFromScratch() {
        positions.serving(0);
        positions.processed(0, 500);
        assertThat(positions.beginRead(0)).isNotNull();

        positions.closed(0);
        assertThat(positions.appliedOffset(0)).isEqualTo(-1);
        assertThat(positions.beginRead(0)).as("no running task serves it").isNull();
        CompletableFuture<Void> at400 = positions.awaitApplied(0, 400);
        assertThat(at400).isNotDone();

        // Wiped (exactly-once closes a failed task dirty): the restore starts from the topic's start.
        positions.onRestoreStart(P0, "store", 0, 301);
        assertThat(positions.appliedOffset(0)).isEqualTo(-1);
        positions.onBatchRestored(P0, "store", 450, 451);
        assertThat(at400).as("a restoring store is not served").isNotDone();
        positions.onRestoreEnd(P0, "store", 451);
        positions.serving(0);
        assertThat(at400).isCompleted();
    }

    @Test
    void shouldRestoreFromTheCheckpointWhateverItRememberedBefore() {
        positions.serving(0);
        positions.processed(0, 500);
        positions.closed(0);
        positions.onRestoreStart(P0, "store", 201, 301);
        assertThat(positions.appliedOffset(0)).isEqualTo(200);
        assertThat(positions.snapshot()).containsEntry(0, 200L);
        positions.onRestoreSuspended(P0, "store", 0);
        assertThat(positions.appliedOffset(0)).isEqualTo(-1);
        assertThat(positions.snapshot()).doesNotContainKey(0);
        assertThat(positions.restoring()).isFalse();
    }

    @Test
    void shouldKeepAWaiterCompletedOnlyWhileServedAtItsOffset() {
        positions.serving(0);
        positions.processed(0, 10);
        CompletableFuture<Void> at20 = positions.awaitApplied(0, 20);
        positions.closed(0);
        // The next task starts (restored to the committed offset) below the waiter's offset.
        positions.onRestoreStart(P0, "store", 0, 16);
        positions.onBatchRestored(P0, "store", 14, 15);
        positions.onRestoreEnd(P0, "store", 15);
        positions.serving(0);
        assertThat(at20).isNotDone();
        positions.processed(0, 20);
        assertThat(at20).isCompleted();
    }

    @Test
    void shouldNotLetAReadCountThatOverlappedAClose() {
        positions.serving(0);
        positions.processed(0, 10);
        ReadTicket before = positions.beginRead(0);
        positions.closed(0);
        assertThat(positions.endRead(before)).isFalse();

        positions.onRestoreStart(P0, "store", 0, 11);
        positions.onRestoreEnd(P0, "store", 11);
        positions.serving(0);
        ReadTicket across = positions.beginRead(0);
        positions.closed(0);
        positions.serving(0);
        assertThat(positions.endRead(across)).as("the partition was served again, by another task").isFalse();
        assertThat(positions.endRead(positions.beginRead(0))).isTrue();
    }

    @Test
    void shouldMarkReadsBehindWhatWasServedUntilTheNextTaskCatchesUp() {
        positions.serving(0);
        positions.processed(0, 20);
        ReadTicket served = positions.beginRead(0);
        assertThat(served.behind()).isFalse();
        assertThat(positions.endRead(served)).isTrue();

        // Processed but not committed when the task failed: rolled back, the next task starts at 15.
        positions.closed(0);
        positions.onRestoreStart(P0, "store", 0, 16);
        positions.onRestoreEnd(P0, "store", 16);
        positions.serving(0);
        ReadTicket behind = positions.beginRead(0);
        assertThat(behind.applied()).isEqualTo(15);
        assertThat(behind.behind()).isTrue();
        assertThat(positions.endRead(behind)).isTrue();

        positions.processed(0, 20);
        assertThat(positions.beginRead(0).behind()).isFalse();
    }

    @Test
    void shouldMeasureANewGenerationAgainstWhatTheOldOneServed() {
        AppliedPositions old = new AppliedPositions("idx", () -> 1L);
        old.serving(0);
        old.processed(0, 30);
        assertThat(old.endRead(old.beginRead(0))).isTrue();

        positions.serving(0);
        positions.processed(0, 25);
        positions.servedAtLeast(old.servedUpTo());
        assertThat(positions.beginRead(0).behind()).isTrue();
        positions.processed(0, 30);
        assertThat(positions.beginRead(0).behind()).isFalse();
        assertThat(positions.servedUpTo()).containsEntry(0, 30L);
        assertThat(old.servedUpTo()).isEqualTo(Map.of(0, 30L));
    }
}
