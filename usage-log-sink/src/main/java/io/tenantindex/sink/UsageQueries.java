package io.tenantindex.sink;

import io.tenantindex.protocol.TenantIndexException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Reads the window stores for the HTTP API. Every answer streams from RocksDB iterators and holds
 * at most {@link #MAX_WINDOWS} windows (a range) or {@code limit} tenants (top-N) in memory, never
 * a structure that grows with the number of tenants or events. A store that is restoring or
 * migrating is a 503 with Retry-After, not a 500.
 */
public final class UsageQueries {
    /** At most this many windows per answer: a week of minutes. */
    public static final int MAX_WINDOWS = 7 * 24 * 60;
    public static final int MAX_TOP = 1000;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Comparator<TenantUsage> BY_COUNT =
            Comparator.comparingLong(TenantUsage::count).thenComparing(TenantUsage::tenantId, Comparator.reverseOrder());

    private final Function<Granularity, ReadOnlyWindowStore<String, UsageAggregate>> stores;

    public UsageQueries(Function<Granularity, ReadOnlyWindowStore<String, UsageAggregate>> stores) {
        this.stores = stores;
    }

    /** The tenant's windows overlapping [from, to), oldest first, and their total. Unknown tenant: no windows. */
    public UsageRange range(String tenantId, Granularity granularity, long fromMs, long toMs) {
        if (fromMs >= toMs) {
            throw TenantIndexException.badRequest("from must be before to");
        }
        long first = granularity.windowStart(fromMs);
        long windows = (toMs - first + granularity.sizeMs() - 1) / granularity.sizeMs();
        if (windows > MAX_WINDOWS) {
            throw TenantIndexException.badRequest("range covers " + windows + " " + granularity.label()
                    + " windows, at most " + MAX_WINDOWS + " per request");
        }
        List<WindowUsage> out = new ArrayList<>();
        UsageAggregate total = UsageAggregate.EMPTY;
        try (WindowStoreIterator<UsageAggregate> it = store(granularity)
                .fetch(tenantId, Instant.ofEpochMilli(first), Instant.ofEpochMilli(toMs - 1))) {
            while (it.hasNext()) {
                KeyValue<Long, UsageAggregate> window = it.next();
                out.add(WindowUsage.of(window.key, window.key + granularity.sizeMs(), window.value));
                total = total.merge(window.value);
            }
        } catch (InvalidStateStoreException e) {
            throw notReady(e);
        }
        return new UsageRange(tenantId, granularity.label(), fromMs, toMs, out, UsageStats.of(total));
    }

    /** The {@code limit} tenants with the most lookups in the window containing {@code atMs}. */
    public TopTenants top(Granularity granularity, long atMs, int limit) {
        if (limit < 1 || limit > MAX_TOP) {
            throw TenantIndexException.badRequest("limit must be between 1 and " + MAX_TOP);
        }
        long start = granularity.windowStart(atMs);
        // A min-heap of the best `limit` so far: memory is O(limit) whatever the number of tenants.
        PriorityQueue<TenantUsage> best = new PriorityQueue<>(limit + 1, BY_COUNT);
        Instant windowStart = Instant.ofEpochMilli(start);
        try (KeyValueIterator<Windowed<String>, UsageAggregate> it = store(granularity).fetchAll(windowStart, windowStart)) {
            while (it.hasNext()) {
                KeyValue<Windowed<String>, UsageAggregate> entry = it.next();
                best.add(TenantUsage.of(entry.key.key(), entry.value));
                if (best.size() > limit) {
                    best.poll();
                }
            }
        } catch (InvalidStateStoreException e) {
            throw notReady(e);
        }
        List<TenantUsage> ranked = new ArrayList<>(best);
        ranked.sort(BY_COUNT.reversed());
        return new TopTenants(granularity.label(), start, start + granularity.sizeMs(), ranked);
    }

    private ReadOnlyWindowStore<String, UsageAggregate> store(Granularity granularity) {
        try {
            return stores.apply(granularity);
        } catch (InvalidStateStoreException e) {
            throw notReady(e);
        }
    }

    private static TenantIndexException notReady(InvalidStateStoreException e) {
        return TenantIndexException.notReady("usage store not queryable right now: " + e.getMessage(), RETRY_AFTER);
    }

    /** Counters of one window or a range of windows, with the derived average and p99. */
    public record UsageStats(long count, long hits, long misses, long notReady, long errors,
            long latencySumMicros, long latencyMaxMicros, long latencyAvgMicros, long latencyP99Micros) {
        static UsageStats of(UsageAggregate a) {
            long count = a.count();
            return new UsageStats(count, a.hits(), a.misses(), a.notReady(), a.errors(), a.latencySumMicros(),
                    a.latencyMaxMicros(), count == 0 ? 0 : a.latencySumMicros() / count, a.latencyP99Micros());
        }
    }

    /** One window: [start, end) in epoch ms, and its counters. */
    public record WindowUsage(long start, long end, long count, long hits, long misses, long notReady, long errors,
            long latencySumMicros, long latencyMaxMicros, long latencyAvgMicros, long latencyP99Micros) {
        static WindowUsage of(long start, long end, UsageAggregate a) {
            UsageStats s = UsageStats.of(a);
            return new WindowUsage(start, end, s.count(), s.hits(), s.misses(), s.notReady(), s.errors(),
                    s.latencySumMicros(), s.latencyMaxMicros(), s.latencyAvgMicros(), s.latencyP99Micros());
        }
    }

    /** The answer of {@code GET /usage/{tenantId}}. */
    public record UsageRange(String tenantId, String granularity, long from, long to, List<WindowUsage> windows,
            UsageStats total) {
    }

    /** One tenant's line in a top-N answer. */
    public record TenantUsage(String tenantId, long count, long hits, long misses, long notReady, long errors,
            long latencyMaxMicros, long latencyP99Micros) {
        static TenantUsage of(String tenantId, UsageAggregate a) {
            return new TenantUsage(tenantId, a.count(), a.hits(), a.misses(), a.notReady(), a.errors(),
                    a.latencyMaxMicros(), a.latencyP99Micros());
        }
    }

    /** The answer of {@code GET /usage:top}. */
    public record TopTenants(String granularity, long windowStart, long windowEnd, List<TenantUsage> tenants) {
    }
}
