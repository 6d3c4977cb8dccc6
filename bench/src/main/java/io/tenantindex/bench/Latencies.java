package io.tenantindex.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every latency sample of one measurement, in nanoseconds; exact percentiles by sorting at the end. */
final class Latencies {
    private long[] values = new long[1 << 14];
    private int n;

    synchronized void add(long nanos) {
        if (n == values.length) {
            values = Arrays.copyOf(values, n * 2);
        }
        values[n++] = nanos;
    }

    synchronized void addAll(Latencies other) {
        synchronized (other) {
            for (int i = 0; i < other.n; i++) {
                add(other.values[i]);
            }
        }
    }

    synchronized int count() {
        return n;
    }

    /** Nearest-rank percentile in ns (p in 0..100); -1 when empty. */
    synchronized long percentile(double p) {
        if (n == 0) {
            return -1;
        }
        Arrays.sort(values, 0, n);
        int rank = (int) Math.ceil(p / 100.0 * n);
        return values[Math.min(n - 1, Math.max(0, rank - 1))];
    }

    synchronized long max() {
        return percentile(100);
    }

    /** count, p50, p90, p99, p99.9, max in ms (3 decimals). */
    Map<String, Object> summaryMs() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count());
        m.put("p50_ms", ms(percentile(50)));
        m.put("p90_ms", ms(percentile(90)));
        m.put("p99_ms", ms(percentile(99)));
        m.put("p999_ms", ms(percentile(99.9)));
        m.put("max_ms", ms(max()));
        return m;
    }

    static double ms(long nanos) {
        return nanos < 0 ? -1 : Math.round(nanos / 1_000.0) / 1_000.0;
    }
}
