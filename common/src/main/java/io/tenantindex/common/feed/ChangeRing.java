package io.tenantindex.common.feed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The most recent changes a process applied, in the order it applied them, bounded: every live
 * feed reads from this one ring, so an open feed costs a cursor, not a copy. Per partition the ring
 * knows the span of offsets it holds every record of; a feed whose position is outside that span
 * (older than the ring, or before a gap) reads the topic up to there ({@link TopicHistory}).
 *
 * <p>Appended by the thread that applies records (a stream thread, the writer thread): records
 * applied again (a rolled-back transaction reprocessed, a rebuild's generation catching up) are
 * recognised by their offset and appended once. A partition whose store was restored from the topic
 * ({@link #served}) may have skipped records the ring never saw: its span starts again there.
 */
public final class ChangeRing {
    /** {@link #from} of a partition not served yet: no position is covered. */
    private static final long NOT_SERVED = Long.MAX_VALUE;

    private final Change[] slots;
    /** Per partition: the ring holds every record with an offset in (from, last]. */
    private final long[] from;
    private final long[] last;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private long head;
    private CompletableFuture<Void> next = new CompletableFuture<>();

    public ChangeRing(int partitions, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a change ring holds at least one change");
        }
        slots = new Change[capacity];
        from = new long[partitions];
        last = new long[partitions];
        Arrays.fill(from, NOT_SERVED);
        Arrays.fill(last, -1);
    }

    public int partitions() {
        return from.length;
    }

    /**
     * The partition is served from a store that holds every record up to {@code applied}: from now
     * on the ring continues there. Records restored into the store without passing the ring leave a
     * gap, so the span restarts at {@code applied}; a position at or behind what the ring already has
     * (a warm restart, a rollback) changes nothing.
     */
    public void served(int partition, long applied) {
        synchronized (this) {
            if (partition >= from.length) {
                return;
            }
            if (from[partition] == NOT_SERVED || applied > last[partition]) {
                from[partition] = applied;
                last[partition] = applied;
            }
        }
        notifyListeners();
    }

    /** A record applied at its partition and offset; one the ring already has (or a partition not served) is ignored. */
    public void append(Change change) {
        CompletableFuture<Void> appended;
        synchronized (this) {
            int p = change.partition();
            if (p >= from.length || from[p] == NOT_SERVED || change.offset() <= last[p]) {
                return;
            }
            int slot = (int) (head % slots.length);
            Change evicted = slots[slot];
            if (evicted != null) {
                from[evicted.partition()] = Math.max(from[evicted.partition()], evicted.offset());
            }
            slots[slot] = change;
            head++;
            last[p] = change.offset();
            appended = next;
            next = new CompletableFuture<>();
        }
        appended.complete(null);
        notifyListeners();
    }

    /** Called (on the appending thread, so it must only hand work off) after every append and every {@link #served}. */
    void onChange(Runnable listener) {
        listeners.add(listener);
    }

    void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** Completes with the next append. */
    synchronized CompletableFuture<Void> nextAppend() {
        return next;
    }

    /** The sequence the next append gets. */
    synchronized long head() {
        return head;
    }

    /** Per partition the offset after which the ring holds every record (a history read stops there). */
    synchronized long[] coverage() {
        return from.clone();
    }

    /** The ring's head and, per partition, the offset it has reached: where a snapshot read from now on continues. */
    synchronized Mark mark() {
        return new Mark(head, last.clone());
    }

    /**
     * Up to {@code max} changes after {@code position}, scanning from sequence {@code cursor} (0: the
     * oldest the ring holds); null when the ring does not hold everything after {@code position}
     * (or the topic has more partitions than the ring was made for).
     */
    synchronized Batch read(long cursor, FeedPosition position, int max) {
        if (position.partitions() != from.length) {
            return null;
        }
        for (int p = 0; p < from.length; p++) {
            if (position.offset(p) < from[p]) {
                return null;
            }
        }
        long seq = Math.max(cursor, head - Math.min(head, slots.length));
        List<Change> changes = new ArrayList<>();
        for (; seq < head && changes.size() < max; seq++) {
            Change c = slots[(int) (seq % slots.length)];
            if (position.before(c.partition(), c.offset())) {
                changes.add(c);
            }
        }
        return new Batch(changes, seq, head - seq);
    }

    private void notifyListeners() {
        for (Runnable l : listeners) {
            l.run();
        }
    }

    /** @param offsets per partition the offset of the last record appended (-1: none) */
    record Mark(long cursor, long[] offsets) {
    }

    /**
     * @param cursor the sequence to scan from next time
     * @param behind changes appended after {@code cursor}: how far the reader is behind the ring's head
     */
    record Batch(List<Change> changes, long cursor, long behind) {
    }
}
