package io.tenantindex.colo;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * The index store of every task running in this instance, by partition, as its processor sees it.
 *
 * <p>Why: an interactive-query handle resolves the partition's store through Kafka Streams' store
 * provider on every call (collecting the tasks of every stream thread and of the state updater
 * into new sets each time); profiled under HTTP load that was a fifth of a lookup's CPU. The
 * processor of a running task holds the same store, metered and deserializing, so lookups read it
 * directly. A task's processor attaches its store once the task runs (after restoration) and
 * detaches it when the task closes; until then, and if a read races with the close, lookups fall
 * back to interactive queries. It also keeps the {@link AnswerCache} of those stores, emptied
 * whenever a partition's task attaches or detaches.
 */
final class LiveStores {
    private final AtomicReferenceArray<TimestampedKeyValueStore<String, IndexRecord>> byPartition;
    private final AnswerCache answers;

    /** {@code answerCacheBytes}: the bound of the {@link AnswerCache}, 0 for none. */
    LiveStores(int partitions, long answerCacheBytes) {
        this.byPartition = new AtomicReferenceArray<>(partitions);
        this.answers = new AnswerCache(partitions, answerCacheBytes);
    }

    AnswerCache answers() {
        return answers;
    }

    /** How many partitions it has room for. */
    int size() {
        return byPartition.length();
    }

    void attach(int partition, TimestampedKeyValueStore<String, IndexRecord> store) {
        if (partition < byPartition.length()) {
            answers.reset(partition);
            byPartition.set(partition, store);
        }
    }

    void detach(int partition, TimestampedKeyValueStore<String, IndexRecord> store) {
        if (partition < byPartition.length()) {
            byPartition.compareAndSet(partition, store, null);
            answers.reset(partition);
        }
    }

    /** The running task's store of {@code partition}, or null when no task of it runs here. */
    TimestampedKeyValueStore<String, IndexRecord> get(int partition) {
        return partition < byPartition.length() ? byPartition.get(partition) : null;
    }
}
