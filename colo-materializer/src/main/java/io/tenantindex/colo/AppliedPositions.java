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
 * the local store holds (processed or restored) and when, whether a running task of this instance
 * serves it, and what lookups have already been answered from. Read-your-writes and readiness wait
 * on it with futures that are completed by the stream thread as records are applied, so nobody
 * polls or sleeps.
 *
 * <p>It exists beside the store's own IQv2 {@code Position} because a store rebuilt from the topic
 * (lost state dir, task migration, unclean EOS shutdown) starts with an empty position even though
 * the restore applied every record; the restore callbacks here see those records.
 *
 * <p>The position goes down as well as up: a task that closes (revoked, migrated, corrupted, its
 * thread died) takes the partition out of service here, and a restore starts from what the store
 * really holds ({@code onRestoreStart}: nothing after a wipe; under exactly-once also less than was
 * processed, since uncommitted processing is rolled back). A waiter completes only while the
 * partition is served at or beyond its offset; a read checks {@link #endRead} that no such change
 * happened while it read.
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
        PartitionPosition p = position(partition);
        List<CompletableFuture<Void>> due;
        synchronized (p) {
            p.applied = Math.max(p.applied, offset);
            due = p.dueWaiters();
        }
        lastAppliedAtMillis = wallClock.getAsLong();
        complete(due);
    }

    /** The partition's task runs here from now on (restored, its store is what lookups read). */
    public void serving(int partition) {
        PartitionPosition p = position(partition);
        List<CompletableFuture<Void>> due;
        synchronized (p) {
            // Everything answered before this task ran is the bar its answers are measured against.
            p.floor = p.servedUpTo.get();
            p.serving = true;
            p.epoch++;
            due = p.dueWaiters();
        }
        complete(due);
    }

    /** The partition's task closed here (revoked, migrated, corrupted, shut down): its store is not served any more. */
    public void closed(int partition) {
        PartitionPosition p = position(partition);
        synchronized (p) {
            p.stopServing();
            p.applied = -1;
        }
    }

    /** Offset of the last record the local store of {@code partition} holds, or -1 if none is known. */
    public long appliedOffset(int partition) {
        PartitionPosition p = partitions.get(partition);
        return p == null ? -1 : p.applied;
    }

    /**
     * Completes once a running task of this instance serves {@code partition} with the record at
     * {@code offset} (or a later one) applied. A position reached while restoring, or lost to a
     * close before the waiter ran, does not count: {@link #beginRead} checks it again.
     */
    public CompletableFuture<Void> awaitApplied(int partition, long offset) {
        PartitionPosition p = position(partition);
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (p) {
            if (p.serving && p.applied >= offset) {
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

    /**
     * Before reading {@code partition}'s store: null when no running task of this instance serves
     * it, else what {@link #endRead} checks the read against. Lock-free: it is asked on every lookup.
     */
    public ReadTicket beginRead(int partition) {
        PartitionPosition p = partitions.get(partition);
        if (p == null) {
            return null;
        }
        long epoch = p.epoch;
        if (!p.serving) {
            return null;
        }
        long applied = p.applied;
        return new ReadTicket(partition, epoch, applied, applied < p.floor);
    }

    /**
     * After the read: false when the partition stopped (or restarted) being served meanwhile, so the
     * read may have seen a store that is closing or restoring and must not be answered. Else it
     * records what the answer may reflect, so that a later task of the partition that starts behind
     * it answers marked as behind.
     */
    public boolean endRead(ReadTicket ticket) {
        PartitionPosition p = partitions.get(ticket.partition());
        long applied = p.applied;
        // Recorded before the check: a close that the check does not see comes after it, and so does
        // the next task's floor.
        if (p.servedUpTo.get() < applied) {
            p.servedUpTo.accumulateAndGet(applied, Math::max);
        }
        return p.epoch == ticket.epoch();
    }

    /** partition → the most recent position an answer read from this instance's stores may reflect. */
    public Map<Integer, Long> servedUpTo() {
        Map<Integer, Long> out = new TreeMap<>();
        partitions.forEach((partition, p) -> out.put(partition, p.servedUpTo.get()));
        return out;
    }

    /** Answers below {@code served} count as behind: what another replica of this colo answered from (a rebuild's switch). */
    public void servedAtLeast(Map<Integer, Long> served) {
        served.forEach((partition, offset) -> {
            PartitionPosition p = position(partition);
            synchronized (p) {
                p.servedUpTo.accumulateAndGet(offset, Math::max);
                p.floor = Math.max(p.floor, offset);
            }
        });
    }

    /** partition → offset of the last applied record, for every partition whose store holds records. */
    public Map<Integer, Long> snapshot() {
        Map<Integer, Long> out = new TreeMap<>();
        partitions.forEach((partition, p) -> {
            long applied = p.applied;
            if (applied >= 0) {
                out.put(partition, applied);
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

    /**
     * The store holds the records before {@code startingOffset} and no others: a wiped store restores
     * from the topic's start, a checkpointed one from its checkpoint. {@code endingOffset} is the
     * group's committed offset (the source topic is the changelog): where the restore will stop.
     */
    @Override
    public void onRestoreStart(TopicPartition tp, String storeName, long startingOffset, long endingOffset) {
        if (tp.topic().equals(topic)) {
            restoringPartitions.incrementAndGet();
            restoreTotal.addAndGet(Math.max(0, endingOffset - startingOffset));
            PartitionPosition p = position(tp.partition());
            synchronized (p) {
                p.stopServing();
                p.applied = startingOffset - 1;
                p.restoreEnd = endingOffset;
            }
        }
    }

    @Override
    public void onBatchRestored(TopicPartition tp, String storeName, long batchEndOffset, long numRestored) {
        if (tp.topic().equals(topic)) {
            restored.addAndGet(numRestored);
            PartitionPosition p = position(tp.partition());
            synchronized (p) {
                p.applied = Math.max(p.applied, batchEndOffset);
            }
            lastAppliedAtMillis = wallClock.getAsLong();
        }
    }

    /**
     * Restored up to the committed offset: every record before it is in the store, also when the
     * offsets after the last restored record are transaction markers (a token never names one), and
     * when there was nothing to restore (a warm restart), so old tokens are answered at once.
     */
    @Override
    public void onRestoreEnd(TopicPartition tp, String storeName, long totalRestored) {
        if (tp.topic().equals(topic)) {
            restoringPartitions.decrementAndGet();
            PartitionPosition p = position(tp.partition());
            synchronized (p) {
                p.applied = Math.max(p.applied, p.restoreEnd - 1);
            }
        }
    }

    /** A restoring task closed (revoked, migrated): the partition is not restored here any more. */
    @Override
    public void onRestoreSuspended(TopicPartition tp, String storeName, long totalRestored) {
        if (tp.topic().equals(topic)) {
            restoringPartitions.decrementAndGet();
            closed(tp.partition());
        }
    }

    private PartitionPosition position(int partition) {
        return partitions.computeIfAbsent(partition, k -> new PartitionPosition());
    }

    /** Completed outside the lock; dependants must run async (the caller is a stream or state-updater thread). */
    private static void complete(List<CompletableFuture<Void>> due) {
        due.forEach(f -> f.complete(null));
    }

    /** What a read of one partition's store saw before it read: see {@link #beginRead}. */
    record ReadTicket(int partition, long epoch, long applied, boolean behind) {
    }

    /** Written under its own lock by the stream and state-updater threads; read lock-free by lookups. */
    private static final class PartitionPosition {
        volatile long applied = -1;
        volatile boolean serving;
        /** +1 whenever the partition starts or stops being served here. */
        volatile long epoch;
        /** The most recent position any answer may reflect. */
        final AtomicLong servedUpTo = new AtomicLong(-1);
        /** {@link #servedUpTo} when the running task started: its answers below it are behind. */
        volatile long floor = -1;
        long restoreEnd;
        final NavigableMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();

        void stopServing() {
            if (serving) {
                serving = false;
                epoch++;
            }
        }

        List<CompletableFuture<Void>> dueWaiters() {
            if (!serving || waiters.isEmpty()) {
                return List.of();
            }
            NavigableMap<Long, List<CompletableFuture<Void>>> head = waiters.headMap(applied, true);
            List<CompletableFuture<Void>> due = new ArrayList<>();
            for (List<CompletableFuture<Void>> list : head.values()) {
                due.addAll(list);
            }
            head.clear();
            return due;
        }
    }
}
