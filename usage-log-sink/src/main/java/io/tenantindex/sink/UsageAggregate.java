package io.tenantindex.sink;

import io.tenantindex.schemas.LookupOutcome;
import java.util.Arrays;

/**
 * One tenant's usage in one time window: lookups per outcome, latency sum and max, and a sparse
 * {@link LatencyBuckets} histogram for the p99 estimate. Immutable; its size depends on how many
 * distinct latency buckets occurred (at most {@link LatencyBuckets#COUNT}), never on the number of
 * events, which is what keeps every window-store value small.
 */
public final class UsageAggregate {
    public static final UsageAggregate EMPTY = new UsageAggregate(0, 0, 0, 0, 0, 0, new int[0], new long[0]);

    private final long hits;
    private final long misses;
    private final long notReady;
    private final long errors;
    private final long latencySumMicros;
    private final long latencyMaxMicros;
    // Sparse histogram: ascending bucket indexes and their counts, same length.
    private final int[] buckets;
    private final long[] bucketCounts;

    UsageAggregate(long hits, long misses, long notReady, long errors, long latencySumMicros, long latencyMaxMicros,
            int[] buckets, long[] bucketCounts) {
        if (buckets.length != bucketCounts.length) {
            throw new IllegalArgumentException("bucket arrays differ in length");
        }
        this.hits = hits;
        this.misses = misses;
        this.notReady = notReady;
        this.errors = errors;
        this.latencySumMicros = latencySumMicros;
        this.latencyMaxMicros = latencyMaxMicros;
        this.buckets = buckets;
        this.bucketCounts = bucketCounts;
    }

    /** This window plus one lookup. */
    public UsageAggregate plus(LookupOutcome outcome, long latencyMicros) {
        long latency = Math.max(0, latencyMicros);
        int bucket = LatencyBuckets.indexOf(latency);
        int pos = Arrays.binarySearch(buckets, bucket);
        int[] newBuckets;
        long[] newCounts;
        if (pos >= 0) {
            newBuckets = buckets;
            newCounts = bucketCounts.clone();
            newCounts[pos]++;
        } else {
            int insert = -pos - 1;
            newBuckets = new int[buckets.length + 1];
            newCounts = new long[buckets.length + 1];
            System.arraycopy(buckets, 0, newBuckets, 0, insert);
            System.arraycopy(bucketCounts, 0, newCounts, 0, insert);
            newBuckets[insert] = bucket;
            newCounts[insert] = 1;
            System.arraycopy(buckets, insert, newBuckets, insert + 1, buckets.length - insert);
            System.arraycopy(bucketCounts, insert, newCounts, insert + 1, buckets.length - insert);
        }
        return new UsageAggregate(
                hits + (outcome == LookupOutcome.hit ? 1 : 0),
                misses + (outcome == LookupOutcome.miss ? 1 : 0),
                notReady + (outcome == LookupOutcome.not_ready ? 1 : 0),
                errors + (outcome == LookupOutcome.error ? 1 : 0),
                latencySumMicros + latency,
                Math.max(latencyMaxMicros, latency),
                newBuckets, newCounts);
    }

    /** Both windows together (for totals over a range and for top-N); histograms add bucket-wise. */
    public UsageAggregate merge(UsageAggregate other) {
        int[] mergedBuckets = new int[buckets.length + other.buckets.length];
        long[] mergedCounts = new long[mergedBuckets.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < buckets.length || j < other.buckets.length) {
            if (j == other.buckets.length || (i < buckets.length && buckets[i] < other.buckets[j])) {
                mergedBuckets[n] = buckets[i];
                mergedCounts[n++] = bucketCounts[i++];
            } else if (i == buckets.length || other.buckets[j] < buckets[i]) {
                mergedBuckets[n] = other.buckets[j];
                mergedCounts[n++] = other.bucketCounts[j++];
            } else {
                mergedBuckets[n] = buckets[i];
                mergedCounts[n++] = bucketCounts[i++] + other.bucketCounts[j++];
            }
        }
        return new UsageAggregate(hits + other.hits, misses + other.misses, notReady + other.notReady,
                errors + other.errors, latencySumMicros + other.latencySumMicros,
                Math.max(latencyMaxMicros, other.latencyMaxMicros),
                Arrays.copyOf(mergedBuckets, n), Arrays.copyOf(mergedCounts, n));
    }

    public long count() {
        return hits + misses + notReady + errors;
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    public long notReady() {
        return notReady;
    }

    public long errors() {
        return errors;
    }

    public long latencySumMicros() {
        return latencySumMicros;
    }

    public long latencyMaxMicros() {
        return latencyMaxMicros;
    }

    /**
     * The 99th percentile latency, estimated as the upper bound of the bucket holding the
     * ceil(0.99·n)-th smallest sample, capped at the observed max; 0 for an empty window.
     */
    public long latencyP99Micros() {
        return percentileMicros(0.99);
    }

    long percentileMicros(double quantile) {
        long n = count();
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(quantile * n);
        long seen = 0;
        for (int k = 0; k < buckets.length; k++) {
            seen += bucketCounts[k];
            if (seen >= rank) {
                return Math.min(LatencyBuckets.upperBound(buckets[k]), latencyMaxMicros);
            }
        }
        return latencyMaxMicros;
    }

    int[] buckets() {
        return buckets;
    }

    long[] bucketCounts() {
        return bucketCounts;
    }
}
