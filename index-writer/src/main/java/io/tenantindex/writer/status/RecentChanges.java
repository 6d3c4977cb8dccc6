package io.tenantindex.writer.status;

import io.tenantindex.writer.WriteResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The last N writes this writer committed, newest first, for the status page. Bounded, so a bulk
 * import of a million lines keeps only its tail; the topic stays the record of everything.
 */
public final class RecentChanges {
    /**
     * One committed write and where it landed, so a reader can tell which colos have applied it.
     *
     * @param op created, updated or deleted
     */
    public record Change(String tenantId, String op, long version, String coloHint, String tier,
                         int partition, long offset, long atMillis) {
    }

    private final int capacity;
    private final LongSupplier clock;
    private final Deque<Change> changes;

    public RecentChanges(int capacity, LongSupplier clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        this.clock = clock;
        this.changes = new ArrayDeque<>(capacity);
    }

    /** Called once per acknowledged write (never for a rejected or failed one). */
    public void record(String tenantId, WriteResult result) {
        String op = result.entry() == null ? "deleted" : result.created() ? "created" : "updated";
        String coloHint = result.entry() == null || result.entry().getColoHint() == null ? null
                : result.entry().getColoHint().toString();
        String tier = result.entry() == null ? null : result.entry().getMetadata().getTier().name();
        Change change = new Change(tenantId, op, result.version(), coloHint, tier,
                result.partition(), result.offset(), clock.getAsLong());
        synchronized (changes) {
            if (changes.size() == capacity) {
                changes.removeLast();
            }
            changes.addFirst(change);
        }
    }

    /** Newest first. */
    public List<Change> snapshot() {
        synchronized (changes) {
            return new ArrayList<>(changes);
        }
    }
}
