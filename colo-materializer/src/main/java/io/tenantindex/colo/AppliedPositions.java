package io.tenantindex.colo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Where the colo's store stands, per partition of the index topic: the offset of the last record
 * applied (processed or restored) and when. Read-your-writes and readiness wait on it with futures
 * that are completed by the stream thread as records are applied, so nobody polls or sleeps.
 *
 * <p>It exists beside the store's own IQv2 {@code Position} because a store rebuilt from the topic
 * (lost state dir, task migration, unclean EOS shutdown) starts with an empty position even though
 * the restore applied every record; the restore callbacks here see those records.
 */
final class AppliedPositions implements StateRestoreListener {
    private final String topic;
    private final LongSupplier wallClock;
    private final Map<Integer, PartitionPosition> partitions = new ConcurrentHashMap<>();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong restored = new AtomicLong();
    private final AtomicLong restoreTotal = new AtomicLong();
    private final AtomicLong restoringPartitions = new AtomicLong();
    private volatile long lastAppliedAtMillis;

    public AppliedPositions(String topic, LongSupplier wallClock) {
        this.topic = topic;
        this.wallClock = wallClock;
    }

    /** A record at {@code offset} of {@code partition} went through the topology (store updated). */
    public void processed(int partition, long offset) {
        processed.incrementAndGet();
        advance(partition, offset, true);
    }

    /** The store already held everything up to {@code offset} when this process started (warm restart). */
    public void seed(int partition, long offset) {
        advance(partition, offset, false);
    }

    /** Offset of the last applied record of {@code partition}, or -1 if none is known. */
    public long appliedOffset(int partition) {
        PartitionPosition p = partitions.get(partition);
        if (p == null) {
            return -1;
        }
        synchronized (p) {
            return p.applied;
        }
    }

    /** Completes once the record at {@code offset} of {@code partition} (or a later one) has been applied. */
    public CompletableFuture<Void> awaitApplied(int partition, long offset) {
        PartitionPosition p = partitions.computeIfAbsent(partition, k -> new PartitionPosition());
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (p) {
            if (p.applied >= offset) {
                future.complete(null);
                return future;
            }
            p.waiters.computeIfAbsent(offset, k -> new ArrayList<>()).add(future);
        }
        // A waiter that timed out or was cancelled must not stay queued until the next record arrives.
        future.whenComplete((v, e) -> {
            if (e != null) {
                synchronized (p) {
                    List<CompletableFuture<Void>> list = p.waiters.get(offset);
                    if (list != null && list.remove(future) && list.isEmpty()) {
                        p.waiters.remove(offset);
                    }
                }
            }
        });
        return future;
    }

    /** partition → offset of the last applied record, for every partition seen so far. */
    public Map<Integer, Long> snapshot() {
        Map<Integer, Long> out = new TreeMap<>();
        partitions.forEach((partition, p) -> {
            synchronized (p) {
                if (p.applied >= 0) {
                    out.put(partition, p.applied);
                }
            }
        });
        return out;
    }

    /** Epoch millis of the last record applied by this process, 0 if none yet. */
    public long lastAppliedAtMillis() {
        return lastAppliedAtMillis;
    }

    public long processedRecords() {
        return processed.get();
    }

    public long restoredRecords() {
        return restored.get();
    }

    /** Records this process read from the topic since it started (processed + restored). */
    public long reReadRecords() {
        return processed.get() + restored.get();
    }

    /** Records the restores started so far had to apply (end − start offsets), for progress. */
    public long restoreTotal() {
        return restoreTotal.get();
    }

    public boolean restoring() {
        return restoringPartitions.get() > 0;
    }

    @Override
    public void onRestoreStart(TopicPartition tp, String storeName, long startingOffset, long endingOffset) {
        if (tp.topic().equals(topic)) {
            restoringPartitions.incrementAndGet();
            restoreTotal.addAndGet(Math.max(0, endingOffset - startingOffset));
        }
    }

    @Override
    public void onBatchRestored(TopicPartition tp, String storeName, long batchEndOffset, long numRestored) {
        if (tp.topic().equals(topic)) {
            restored.addAndGet(numRestored);
            advance(tp.partition(), batchEndOffset, true);
        }
    }

    @Override
    public void onRestoreEnd(TopicPartition tp, String storeName, long totalRestored) {
        if (tp.topic().equals(topic)) {
            restoringPartitions.decrementAndGet();
        }
    }

    @Override
    public void onRestoreSuspended(TopicPartition tp, String storeName, long totalRestored) {
        onRestoreEnd(tp, storeName, totalRestored);
    }

    private void advance(int partition, long offset, boolean touch) {
        PartitionPosition p = partitions.computeIfAbsent(partition, k -> new PartitionPosition());
        List<CompletableFuture<Void>> due = null;
        synchronized (p) {
            if (offset > p.applied) {
                p.applied = offset;
            }
            if (!p.waiters.isEmpty()) {
                NavigableMap<Long, List<CompletableFuture<Void>>> head = p.waiters.headMap(p.applied, true);
                due = new ArrayList<>();
                for (List<CompletableFuture<Void>> list : head.values()) {
                    due.addAll(list);
                }
                head.clear();
            }
        }
        if (touch) {
            lastAppliedAtMillis = wallClock.getAsLong();
        }
        // Completed outside the lock; dependants must run async (the caller is the stream thread).
        if (due != null) {
            due.forEach(f -> f.complete(null));
        }
    }

    private static final class PartitionPosition {
        long applied = -1;
        final NavigableMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
    }
}
