package io.tenantindex.bench;

import io.tenantindex.common.Json;
import io.tenantindex.common.api.WriterHealth;
import io.tenantindex.common.http.MiniHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Writer takeover after {@code kill -9}: two writer JVMs of one writer id beside the stack's own writer
 * (same broker and index topic, an election group and transactional id of their own). Each round kills
 * the active one and times until the standby accepts a PUT; the next round starts a new standby beside
 * the survivor. The figure is the median of {@value #ROUNDS} rounds.
 */
final class WriterTakeoverBench implements Benchmark {
    private static final int ROUNDS = 3;
    private static final String WRITER_ID = "bench-takeover";
    /** The setting's default, and the lowest session timeout a default broker accepts. */
    private static final long SESSION_TIMEOUT_MS = 6000;
    private static final long POLL_MS = 5;

    @Override
    public void run(BenchRun run) throws Exception {
        System.out.println("bench: writer takeover after kill -9, " + ROUNDS + " rounds");
        List<Double> takeovers = new ArrayList<>();
        List<Map<String, Object>> rounds = new ArrayList<>();
        Procs.Child active = null;
        Procs.Child standby = null;
        try {
            int activePort = Ports.reserve();
            active = run.launchWriter("writer-takeover-0", WRITER_ID, activePort, SESSION_TIMEOUT_MS);
            awaitRole(active, activePort, "ACTIVE");
            for (int round = 1; round <= ROUNDS; round++) {
                int standbyPort = Ports.reserve();
                standby = run.launchWriter("writer-takeover-" + round, WRITER_ID, standbyPort, SESSION_TIMEOUT_MS);
                awaitRole(standby, standbyPort, "STANDBY");
                long killed = System.nanoTime();
                Procs.kill(active);
                Map<Integer, Integer> answers = new TreeMap<>();
                double ms = untilPutAccepted(standby, standbyPort, killed, answers);
                takeovers.add(ms);
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("kill_to_first_accepted_put_ms", Math.round(ms));
                d.put("answers_before_by_status", answers);
                rounds.add(d);
                System.out.printf(Locale.ROOT, "bench: round %d: takeover after %.0f ms%n", round, ms);
                active = standby;
                activePort = standbyPort;
                standby = null;
            }
        } finally {
            for (Procs.Child c : new Procs.Child[] {active, standby}) {
                if (c != null) {
                    Procs.stop(c, 30);
                }
            }
        }
        run.report.details.put("writer takeover rounds", rounds);
        List<Double> sorted = takeovers.stream().sorted().toList();
        run.report.add("Failover", "writer takeover after kill -9 (median of " + ROUNDS + ")", sorted.get(ROUNDS / 2) / 1000, "s",
                String.format(Locale.ROOT, "two writer JVMs (-Xmx%s) with one writer.id beside the stack's writer, on its broker and "
                        + "index topic (%,d tenants); writer.election.session.timeout.ms=%d. The active one (GET /health role ACTIVE) is "
                        + "killed with SIGKILL while the other is a replayed STANDBY; time from the kill to the first PUT /tenants/{id} "
                        + "the other answered 2xx (a new connection every %d ms; 307/503 before). Each round then starts a new standby. "
                        + "Rounds: %s s", run.options.writerHeap, run.tenants(), SESSION_TIMEOUT_MS, POLL_MS,
                        takeovers.stream().map(t -> String.format(Locale.ROOT, "%.2f", t / 1000)).toList()));
    }

    /** Polls GET /health until the writer is UP in {@code role}. */
    private static void awaitRole(Procs.Child writer, int port, String role) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            alive(writer);
            try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
                WriterHealth h = Json.readAnswer(http.request("GET", "/health", null, null).bodyText(), WriterHealth.class);
                if ("UP".equals(h.status()) && role.equals(h.role())) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(writer.name() + " not " + role + " after 180 s; see " + writer.log());
    }

    /** PUTs to the standby until one is accepted; returns ms since {@code killedNanos}, counting the answers before it. */
    private static double untilPutAccepted(Procs.Child writer, int port, long killedNanos, Map<Integer, Integer> answers)
            throws Exception {
        byte[] body = Tenants.body(0, 1).getBytes(StandardCharsets.UTF_8);
        long deadline = killedNanos + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            alive(writer);
            int status;
            try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
                status = http.request("PUT", "/tenants/" + Tenants.id(0), null, body).status();
            } catch (IOException e) {
                status = -1;
            }
            if (status / 100 == 2) {
                return (System.nanoTime() - killedNanos) / 1e6;
            }
            answers.merge(status, 1, Integer::sum);
            Thread.sleep(POLL_MS);
        }
        throw new IllegalStateException(writer.name() + " accepted no PUT within 120 s of the kill; see " + writer.log());
    }

    private static void alive(Procs.Child c) {
        if (!c.process().isAlive()) {
            throw new IllegalStateException(c.name() + " exited (" + c.process().exitValue() + "); see " + c.log());
        }
    }
}
