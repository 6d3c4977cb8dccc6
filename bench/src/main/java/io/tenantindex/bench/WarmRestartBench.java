package io.tenantindex.bench;

import io.tenantindex.common.api.ColoStats;

/** SIGTERM (clean close, leaves the group), then the same colo on the same state dir: launch → ready. */
final class WarmRestartBench implements Benchmark {
    @Override
    public void run(BenchRun run) throws Exception {
        run.stopColo();
        System.out.println("bench: warm restart of colo " + run.colo.code());
        run.coloJvm = run.launchColo(run.colo, true);
        double ms = BenchRun.awaitReady(run.coloJvm, run.colo.port(), 300);
        Thread.sleep(300);
        long internal = Procs.lastMatch(run.coloJvm.log(), BenchRun.READY_AFTER);
        ColoStats stats = BenchRun.stats(run.colo.port());
        run.report.keep(Measure.WARM_RESTART_S, ms / 1000);
        run.report.atMost("Rebuild", "warm restart, " + BenchRun.count(run.tenants()) + " tenants, launch → ready", ms / 1000, "s", 2,
                "the colo JVM above stopped with SIGTERM (clean close) and started again on the same state dir: process "
                        + "launch → GET /health/ready 200 (polled every 20 ms), includes JVM start (class loading of "
                        + "Kafka Streams, RocksDB, Javalin; " + (run.options.coloCds ? "with" : "without")
                        + " the run's AppCDS archive, see Run configuration)");
        run.report.add("Rebuild", "  same, as reported by the colo (materializer start → ready)", internal / 1000.0, "s",
                "the colo's own 'ready after N ms' log line; records re-read from Kafka: " + stats.reReadRecords());
    }
}
