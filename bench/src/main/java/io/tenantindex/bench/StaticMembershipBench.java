package io.tenantindex.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Warm restart of the colo under test without static group membership and with it (the default), each
 * after SIGTERM and after {@code kill -9}, in one run on one state dir. Without it a killed member stays
 * in the group until its session times out, and its successor's rebalance waits for that.
 */
final class StaticMembershipBench implements Benchmark {
    @Override
    public void run(BenchRun run) throws Exception {
        System.out.println("bench: warm restarts of colo " + run.colo.code() + " without and with static membership");
        Map<String, Object> details = new LinkedHashMap<>();
        // Without first, so that the colo under test ends as it runs in production: with static membership.
        for (boolean isStatic : new boolean[] {false, true}) {
            String[] flags = {"--colo-static-membership", Boolean.toString(isStatic)};
            String variant = isStatic ? "static membership" : "no static membership";
            // Untimed: the switch from the other kind of membership.
            restart(run, false, flags);
            double term = restart(run, false, flags);
            long termInternal = coloReportedReadyMs(run);
            double kill = restart(run, true, flags);
            long killInternal = coloReportedReadyMs(run);
            details.put(variant, Map.of("after_sigterm_launch_to_ready_ms", Math.round(term), "after_sigterm_colo_reported_ready_ms",
                    termInternal, "after_kill_9_launch_to_ready_ms", Math.round(kill), "after_kill_9_colo_reported_ready_ms", killInternal));
            String how = "the colo under test (-Xmx" + run.options.coloHeap + ", " + BenchRun.count(run.tenants()) + " tenants) with "
                    + "colo.static.membership=" + isStatic + ", stopped and started again on the same state dir: process launch → GET "
                    + "/health/ready 200 (polled every 20 ms), JVM start included. Before the timed restarts one untimed restart "
                    + "switched the membership kind, so both variants restart from a JVM of their own kind with the same warm page cache";
            run.report.add("Rebuild", "warm restart after SIGTERM, " + variant, term / 1000, "s", how
                    + "; stopped with SIGTERM (clean close, leaves the group); one sample; the colo's own 'ready after' (materializer "
                    + "start → ready, no JVM start): " + termInternal + " ms");
            run.report.add("Rebuild", "warm restart after kill -9, " + variant, kill / 1000, "s",
                    how + "; stopped with SIGKILL (no close: the group still holds the dead member until its session times out"
                            + (isStatic ? ", unless its group.instance.id rejoins, as here" : "") + "); one sample; the colo's own "
                            + "'ready after': " + killInternal + " ms");
        }
        run.report.details.put("warm restarts by membership", details);
    }

    /** The colo under test's own "ready after N ms" (logged just after it turned ready); -1 if not found. */
    private static long coloReportedReadyMs(BenchRun run) throws InterruptedException {
        Thread.sleep(300);
        return Procs.lastMatch(run.coloJvm.log(), BenchRun.READY_AFTER);
    }

    /** Stops the colo under test (SIGTERM, or SIGKILL if {@code kill}) and launches it with {@code flags}; ms from launch to ready. */
    private static double restart(BenchRun run, boolean kill, String... flags) throws Exception {
        if (kill) {
            Procs.kill(run.coloJvm);
            run.coloJvm = null;
        } else {
            run.stopColo();
        }
        run.coloJvm = run.launchColo(run.colo, true, flags);
        return BenchRun.awaitReady(run.coloJvm, run.colo.port(), 300);
    }
}
