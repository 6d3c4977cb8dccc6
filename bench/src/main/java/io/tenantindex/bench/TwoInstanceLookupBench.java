package io.tenantindex.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Lookups per second of two instances of the colo under test (distinct instance ids, each a full replica)
 * behind a round-robin client, against the colo under test alone, with the same closed-loop GET load in
 * the same run. Rounds in the order one, two, two, one, so that drift over the run falls on both.
 */
final class TwoInstanceLookupBench implements Benchmark {
    private static final String SECOND_INSTANCE = "bench-second";

    @Override
    public void run(BenchRun run) throws Exception {
        BenchRun.Colo second = run.anotherInstance(run.colo, SECOND_INSTANCE);
        System.out.println("bench: second instance of colo " + run.colo.code() + " (log: " + run.logs.resolve(second.name() + ".log") + ")");
        Procs.Child secondJvm = run.launchColo(second, true);
        try {
            double readyMs = BenchRun.awaitReady(secondJvm, second.port(), 900);
            int conns = (int) run.options.wrkConnections;
            long tenants = run.tenants();
            int[] one = {run.colo.port()};
            int[] two = {run.colo.port(), second.port()};
            String warmFirst = JitWarmUp.untilSettled(run.coloJvm.pid(), "the first instance",
                    () -> LoadTools.gets(one, conns, JitWarmUp.ROUND_SECONDS, tenants));
            String warmSecond = JitWarmUp.untilSettled(secondJvm.pid(), "the second instance",
                    () -> LoadTools.gets(new int[] {second.port()}, conns, JitWarmUp.ROUND_SECONDS, tenants));
            double seconds = run.options.instancesSeconds;
            System.out.printf(Locale.ROOT, "bench: closed-loop GETs, %d connections, one instance vs two, 4 × %.0f s%n", conns, seconds);
            LoadTools.ClosedLoopResult oneA = LoadTools.gets(one, conns, seconds, tenants);
            LoadTools.ClosedLoopResult twoA = LoadTools.gets(two, conns, seconds, tenants);
            LoadTools.ClosedLoopResult twoB = LoadTools.gets(two, conns, seconds, tenants);
            LoadTools.ClosedLoopResult oneB = LoadTools.gets(one, conns, seconds, tenants);
            double oneRps = (oneA.ok() + oneB.ok()) / (oneA.seconds() + oneB.seconds());
            double twoRps = (twoA.ok() + twoB.ok()) / (twoA.seconds() + twoB.seconds());
            long errors = oneA.errors() + oneB.errors() + twoA.errors() + twoB.errors();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("second_instance_ready_after_launch_ms", Math.round(readyMs));
            d.put("one_instance_req_per_s_rounds", new long[] {Math.round(oneA.perSecond()), Math.round(oneB.perSecond())});
            d.put("two_instances_req_per_s_rounds", new long[] {Math.round(twoA.perSecond()), Math.round(twoB.perSecond())});
            d.put("one_instance_latency", oneA.latencies().summaryMs());
            d.put("two_instances_latency", twoA.latencies().summaryMs());
            d.put("errors", errors);
            run.report.details.put("one vs two colo instances", d);
            String how = String.format(Locale.ROOT, "closed-loop Java GET load in the bench JVM (wrk targets one host, so it cannot "
                    + "alternate): %d keep-alive connections (MiniHttp), each GET /tenants/{random of %,d} back to back, %.0f s per round, "
                    + "rounds one, two, two, one (value = OK answers ÷ seconds over both rounds); two instances = the connections "
                    + "split round robin over both ports, one instance = all on the colo under test. Both colo JVMs -Xmx%s, same "
                    + "tenants; %s; %s; errors %d. ON 2 CORES THIS SHOWS THE OVERHEAD OF A SECOND INSTANCE, NOT SCALE: the two "
                    + "JVMs and the load generator share the same two cores", conns, tenants, seconds, run.options.coloHeap,
                    warmFirst, warmSecond, errors);
            run.report.add("Lookup over HTTP", "one colo instance, closed-loop GETs", oneRps, "req/s", how);
            run.report.add("Lookup over HTTP", "two colo instances round robin, closed-loop GETs", twoRps, "req/s", how);
            run.report.add("Lookup over HTTP", "  two instances ÷ one (on 2 cores: overhead, not scale)", twoRps / oneRps, "×",
                    "ratio of the two figures above");
        } finally {
            Procs.stop(secondJvm, 60);
        }
    }
}
