package io.tenantindex.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The memory figure: the colo under test's RSS (and peak), read from /proc at the moments the runner picks. */
final class ColoMemory {
    private ColoMemory() {
    }

    static void measure(BenchRun run, Procs.Child colo, String when) {
        long rss = Procs.procStatusKib(colo.pid(), "VmRSS");
        long hwm = Procs.procStatusKib(colo.pid(), "VmHWM");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("VmRSS_kib", rss);
        d.put("VmHWM_kib", hwm);
        run.report.details.put("colo memory " + when, d);
        run.report.keepHighest(Measure.COLO_RSS_MIB, rss / 1024.0);
        run.report.atMost("Memory", "colo RSS with " + BenchRun.count(run.tenants()) + " tenants, " + when, rss / 1024.0, "MiB", 1024,
                "VmRSS of the colo JVM (-Xmx" + run.options.coloHeap + ", one colo, Kafka Streams + RocksDB "
                        + "+ Javalin + usage emitter) from /proc/<pid>/status; peak (VmHWM) " + hwm / 1024 + " MiB");
    }
}
