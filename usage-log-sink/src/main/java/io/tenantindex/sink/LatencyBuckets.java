package io.tenantindex.sink;

/**
 * Fixed log-linear latency buckets, so a p99 can be estimated from a few hundred bytes per window
 * instead of keeping every sample: values 0–3 µs get a bucket each, and every power of two above
 * is split into four equal sub-buckets (an estimate is at most 25% above the true value). The
 * layout is part of the stored aggregate format: change it only together with the format version.
 */
public final class LatencyBuckets {
    /** Largest exponent with buckets of its own; anything from 2^41 µs (~25 days) up shares the last bucket. */
    private static final int MAX_EXPONENT = 40;
    public static final int COUNT = 4 + (MAX_EXPONENT - 1) * 4;

    private LatencyBuckets() {
    }

    /** The bucket of a latency; negative latencies count as 0 µs. */
    public static int indexOf(long micros) {
        if (micros < 4) {
            return (int) Math.max(0, micros);
        }
        int exponent = 63 - Long.numberOfLeadingZeros(micros);
        if (exponent > MAX_EXPONENT) {
            return COUNT - 1;
        }
        int sub = (int) (micros >>> (exponent - 2)) & 3;
        return 4 + (exponent - 2) * 4 + sub;
    }

    /** The smallest latency that falls into {@code index}. */
    public static long lowerBound(int index) {
        if (index < 4) {
            return index;
        }
        int exponent = (index - 4) / 4 + 2;
        int sub = (index - 4) % 4;
        return (long) (4 + sub) << (exponent - 2);
    }

    /** The largest latency that falls into {@code index} (the last bucket is open-ended). */
    public static long upperBound(int index) {
        if (index == COUNT - 1) {
            return Long.MAX_VALUE;
        }
        return lowerBound(index + 1) - 1;
    }
}
