package io.tenantindex.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The targets, each a figure against the floor that bounds it, both from the same run: the colo's
 * HTTP against nginx, replication lag against Kafka's own commit → consumed latency, PUT latency
 * against a raw transactional commit, the import against a raw transactional producer on the same
 * records. Targets without a floor (a restart, a rebuild, memory, the in-process lookup) stay
 * absolute. A row whose figure or floor was not measured (a skipped part) says so.
 */
final class RatioTable {
    /**
     * @param floor     the floor's name, null for an absolute target
     * @param ratio     value ÷ floor (the value itself for an absolute target); NaN when not measured
     */
    record Row(String figure, Double value, String unit, String floor, Double floorValue, double ratio, String target, Boolean met) {
    }

    private final Map<Measure, Double> m;
    private final List<Row> rows = new ArrayList<>();

    private RatioTable(Map<Measure, Double> measured) {
        this.m = measured;
    }

    static List<Row> of(Map<Measure, Double> measured) {
        RatioTable t = new RatioTable(measured);
        t.ratio("one colo process, HTTP lookups/s", Measure.COLO_MAX_RPS, "req/s", "nginx max (wrk)", Measure.NGINX_MAX_RPS, false, 0.8);
        t.ratio("HTTP p99 at half the colo's max rate", Measure.COLO_P99_AT_HALF_MS, "ms", "nginx p99 at the same rate",
                Measure.NGINX_P99_AT_HALF_MS, true, 2);
        t.absolute("in-process lookup (get + decode + body) p99", Measure.IN_PROCESS_P99_NS, "ns", true, 2_000);
        t.ratio("replication lag p99 (ack → visible in all 3 colos)", Measure.LAG_P99_MS, "ms",
                "Kafka commit → consumed by all of 3 read_committed consumers, p99", Measure.KAFKA_COMMIT_TO_CONSUMED_P99_MS, true, 2);
        t.ratio("PUT p99 at concurrency 32", Measure.PUT_P99_MS, "ms", "raw transactional commit p99 at concurrency 32",
                Measure.RAW_COMMIT_P99_MS, true, 3);
        t.ratio("bulk import", Measure.IMPORT_PER_S, "tenants/s", "raw transactional producer, same records", Measure.RAW_PRODUCER_PER_S,
                false, 0.6);
        t.absolute("warm restart, launch → ready", Measure.WARM_RESTART_S, "s", true, 2);
        t.absolute("blue/green rebuild", Measure.BLUE_GREEN_S, "s", true, 2);
        t.absolute("usage emission: throughput cost", Measure.EMISSION_COST_PCT, "%", true, 10);
        t.absolute("usage emission: CPU per lookup on ÷ off", Measure.EMISSION_CPU_RATIO, "×", true, 1.1);
        t.absolute("colo RSS (highest of the run)", Measure.COLO_RSS_MIB, "MiB", true, 1024);
        return t.rows;
    }

    private void ratio(String figure, Measure value, String unit, String floor, Measure floorValue, boolean atMost, double target) {
        Double v = m.get(value);
        Double f = m.get(floorValue);
        double ratio = v == null || f == null || f <= 0 ? Double.NaN : v / f;
        rows.add(new Row(figure, v, unit, floor, f, ratio, (atMost ? "≤ " : "≥ ") + Report.fmt(target) + "×", met(ratio, atMost, target)));
    }

    private void absolute(String figure, Measure value, String unit, boolean atMost, double target) {
        Double v = m.get(value);
        double ratio = v == null ? Double.NaN : v;
        rows.add(new Row(figure, v, unit, null, null, ratio, (atMost ? "≤ " : "≥ ") + Report.fmt(target) + " " + unit,
                met(ratio, atMost, target)));
    }

    private static Boolean met(double ratio, boolean atMost, double target) {
        if (Double.isNaN(ratio)) {
            return null;
        }
        return atMost ? ratio >= 0 && ratio <= target : ratio >= target;
    }
}
