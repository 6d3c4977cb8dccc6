package io.tenantindex.bench;

import io.tenantindex.common.api.ColoStats;
import io.tenantindex.common.http.MiniHttp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Bulk imports in steps up to {@code --tenants}; after each step a brand-new colo JVM (new code, so
 * new application id, empty state) replays the topic, timed from its launch. The colo of the last
 * step keeps running and becomes the run's colo under test.
 */
final class ImportAndRebuildBench implements Benchmark {
    @Override
    public void run(BenchRun run) throws Exception {
        long tenants = run.tenants();
        List<Long> steps = new ArrayList<>();
        for (String s : run.options.rebuildSteps.split(",")) {
            if (!s.isBlank() && Long.parseLong(s.trim()) > 0 && Long.parseLong(s.trim()) < tenants) {
                steps.add(Long.parseLong(s.trim()));
            }
        }
        steps.add(tenants);
        List<Map<String, Object>> imports = new ArrayList<>();
        List<Map<String, Object>> rebuilds = new ArrayList<>();
        run.report.details.put("imports", imports);
        run.report.details.put("new colos (cold start, bulk restore)", rebuilds);
        long done = 0;
        long written = 0;
        double seconds = 0;
        String importCpu = "";
        for (long step : steps) {
            System.out.printf("bench: importing tenants %,d … %,d%n", done, step - 1);
            CpuSplit cpu = CpuSplit.start(run.stack.pid());
            LoadTools.ImportResult r = LoadTools.importRange(run.stack.writerPort, done, step);
            importCpu = cpu.summary();
            long t0 = System.nanoTime();
            run.stack.awaitColosCaughtUp(300);
            double visible = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("tenants", (done) + ".." + (step - 1));
            d.put("lines", r.lines());
            d.put("written", r.written());
            d.put("failed", r.failed());
            d.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
            d.put("records_per_s", Math.round(r.perSecond()));
            d.put("then_all_3_colos_caught_up_after_s", Math.round(visible * 1000) / 1000.0);
            d.put("stack_cpu_during_import", importCpu);
            imports.add(d);
            if (r.failed() > 0) {
                run.report.note("import " + done + ".." + step + ": " + r.failed() + " lines failed");
            }
            written += r.written();
            seconds += r.seconds();
            done = step;
            boolean lastStep = step == tenants;
            if (!run.options.skips("rebuild") || lastStep) {
                Map<String, Object> rebuild = new LinkedHashMap<>();
                rebuildFresh(run, step, rebuild, lastStep);
                rebuilds.add(rebuild);
            }
        }
        run.report.keep(Measure.IMPORT_PER_S, written / seconds);
        run.report.add("Writes", "bulk import (POST /tenants:import)", written / seconds, "tenants/s",
                String.format(Locale.ROOT, "%,d tenants in %d NDJSON request(s) of sizes %s, each streamed (chunked) from the bench "
                        + "JVM over loopback; value = lines written ÷ wall time from request start to the response "
                        + "(the writer answers once every line is committed to Kafka). The three colos of the stack "
                        + "consume concurrently, on the same 2 cores. Its target is a ratio to a raw transactional producer "
                        + "(Targets table). During the last request %s", written, steps.size(), steps,
                        importCpu));
        if (!rebuilds.isEmpty()) {
            Map<String, Object> lastRebuild = rebuilds.get(rebuilds.size() - 1);
            double s = ((Number) lastRebuild.get("ready_after_launch_ms")).doubleValue() / 1000;
            double internal = ((Number) lastRebuild.get("colo_reported_ready_ms")).doubleValue() / 1000;
            run.report.add("Rebuild", "new colo (cold start), " + BenchRun.count(tenants) + " tenants, launch → ready", s, "s",
                    "a new colo JVM (-Xmx" + run.options.coloHeap + ", new colo code = new application id "
                            + "and consumer group, empty state dir; bulk restore): time from process launch until GET "
                            + "/health/ready answers 200 (polled every 20 ms); includes JVM and Kafka Streams start");
            run.report.add("Rebuild", "  same, as reported by the colo (materializer start → ready)", internal, "s",
                    "the colo's own log line 'ready after N ms' (from ColoMaterializer construction, excludes JVM start)");
            run.report.add("Rebuild", "  replay rate (cold start)", ((Number) lastRebuild.get("records_per_s_by_colo_clock")).doubleValue(),
                    "records/s", "records re-read from Kafka (/stats reReadRecords) ÷ the colo-reported time to ready");
            for (Map<String, Object> r : rebuilds.subList(0, rebuilds.size() - 1)) {
                run.report.add("Rebuild", "  new colo (cold start), " + BenchRun.count(((Number) r.get("tenants")).longValue())
                                + " tenants, launch → ready", ((Number) r.get("ready_after_launch_ms")).doubleValue() / 1000, "s",
                        "as above, at this earlier size of the same topic (growth)");
            }
        }
    }

    /**
     * A brand-new colo (new application id, empty state) replays the topic; measured from process launch.
     * When {@code keep}, the colo keeps running and becomes the run's colo under test.
     */
    private static void rebuildFresh(BenchRun run, long size, Map<String, Object> d, boolean keep) throws Exception {
        BenchRun.Colo c = run.newColo("RB");
        System.out.printf("bench: rebuild of %,d tenants into fresh colo %s%n", size, c.code());
        Procs.Child child = run.launchColo(c, true);
        boolean ok = false;
        try {
            d.put("tenants", size);
            d.put("colo", c.code());
            d.putAll(readyWithProgress(child, c.port()));
            d.put("rss_at_ready_mib", Procs.procStatusKib(child.pid(), "VmRSS") / 1024);
            ok = true;
        } finally {
            if (!keep || !ok) {
                Procs.stop(child, 60);
            }
        }
        if (keep) {
            run.colo = c;
            run.coloJvm = child;
            ColoMemory.measure(run, child, "right after its rebuild");
        }
    }

    /** Waits for readiness while sampling /stats every 100 ms (records re-read over time). */
    private static Map<String, Object> readyWithProgress(Procs.Child child, int port) throws Exception {
        List<long[]> curve = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        Map<String, Object> d = new LinkedHashMap<>();
        long lastSample = 0;
        while (true) {
            if (System.nanoTime() > deadline || !child.process().isAlive()) {
                throw new IllegalStateException(child.name() + " did not become ready; see " + child.log());
            }
            try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
                if (http.request("GET", "/health/ready", null, null).status() == 200) {
                    d.put("ready_after_launch_ms", Math.round((System.nanoTime() - child.launchedNanos()) / 1e6));
                    break;
                }
                if (System.nanoTime() - lastSample > 100_000_000) {
                    lastSample = System.nanoTime();
                    curve.add(new long[] {(lastSample - child.launchedNanos()) / 1_000_000, BenchRun.stats(http).reReadRecords()});
                }
            } catch (IOException notYet) {
                // HTTP not bound yet
            }
            Thread.sleep(20);
        }
        ColoStats stats = BenchRun.stats(port);
        Thread.sleep(300); // let the log line land
        long internal = Procs.lastMatch(child.log(), BenchRun.READY_AFTER);
        long reRead = stats.reReadRecords();
        d.put("colo_reported_ready_ms", internal);
        d.put("re_read_records", reRead);
        d.put("restored_records", stats.restoredRecords());
        d.put("records_per_s_by_colo_clock", internal > 0 ? Math.round(reRead * 1000.0 / internal) : -1);
        List<String> marks = new ArrayList<>();
        for (double f : new double[] {0.1, 0.25, 0.5, 0.75, 1.0}) {
            long want = (long) (reRead * f);
            curve.stream().filter(s -> s[1] >= want && want > 0).findFirst()
                    .ifPresent(s -> marks.add(String.format(Locale.ROOT, "%,d records by %,d ms", want, s[0])));
        }
        d.put("progress_since_launch (from /stats every 100 ms)", marks);
        return d;
    }
}
