package io.tenantindex.colo;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * whenever a partition's task attaches or detaches, and filled from the whole store (on
 * {@code warming}, not the stream thread) when a task attaches: with uniformly random tenants a
 * cache filled only by lookups that missed took minutes of full load to fill. A generation that is
 * rebuilt beside the serving one warms only once it serves ({@link #startWarming}), so that a colo
 * never holds two full caches.
 */
final class LiveStores {
    private static final Logger LOG = LoggerFactory.getLogger(LiveStores.class);

    private final AtomicReferenceArray<TimestampedKeyValueStore<String, IndexRecord>> byPartition;
    private final AnswerCache answers;
    private final AnswerTranscoder transcoder;
    private final Executor warming;
    /** Whether a task's start warms its partition's cache: once the generation serves. */
    private volatile boolean warm;

    /**
     * {@code answerCacheBytes}: the bound of the {@link AnswerCache}, 0 for none; {@code warming} fills
     * it from attached stores, from the start if {@code serving}, else from {@link #startWarming}.
     */
    LiveStores(int partitions, long answerCacheBytes, AnswerTranscoder transcoder, Executor warming, boolean serving) {
        this.byPartition = new AtomicReferenceArray<>(partitions);
        this.answers = new AnswerCache(partitions, answerCacheBytes);
        this.transcoder = transcoder;
        this.warming = warming;
        this.warm = serving;
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
            if (warm) {
                warmLater(partition, store);
            }
        }
    }

    /** The generation took over serving: warms the caches of the partitions attached now, and of those that attach later. */
    void startWarming() {
        warm = true;
        for (int p = 0; p < byPartition.length(); p++) {
            TimestampedKeyValueStore<String, IndexRecord> store = byPartition.get(p);
            if (store != null) {
                warmLater(p, store);
            }
        }
    }

    /** The generation no longer serves: empties its caches and warms no more. */
    void stopWarming() {
        warm = false;
        for (int p = 0; p < byPartition.length(); p++) {
            answers.reset(p);
        }
    }

    private void warmLater(int partition, TimestampedKeyValueStore<String, IndexRecord> store) {
        try {
            warming.execute(() -> warm(partition, store));
        } catch (RejectedExecutionException closing) {
            // The colo is closing: nothing to warm for.
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

    /**
     * Fills the partition's answer cache with every value of {@code store} it has room for, while the
     * store stays attached. Each fill follows the rule lookups fill by ({@link AnswerCache#fill}): the
     * scan's values are from its iterator's snapshot, so they fill while no record was applied since
     * just before it opened; after one was, each tenant is read again first, as a lookup would.
     */
    private void warm(int partition, TimestampedKeyValueStore<String, IndexRecord> store) {
        long started = System.nanoTime();
        long filled = 0;
        long writes = answers.writes(partition);
        try (KeyValueIterator<String, ValueAndTimestamp<IndexRecord>> all = store.all()) {
            while (all.hasNext() && warm && get(partition) == store && answers.hasRoom()) {
                KeyValue<String, ValueAndTimestamp<IndexRecord>> entry = all.next();
                byte[] value = entry.value.value().raw();
                long now = answers.writes(partition);
                if (now != writes) {
                    ValueAndTimestamp<IndexRecord> reread = store.get(entry.key);
                    value = reread == null ? null : reread.value().raw();
                }
                if (value != null && transcoder.readable(value)) {
                    answers.fill(partition, entry.key, now, value);
                    filled++;
                }
            }
        } catch (InvalidStateStoreException closed) {
            return; // the task closed meanwhile; its next start warms again
        }
        LOG.info("answer cache: partition {} warmed with {} values in {} ms ({} MiB held in all)", partition, filled,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), answers.heldBytes() >> 20);
    }
}
