package io.tenantindex.bench;

import io.tenantindex.client.EmbeddedReplica;
import io.tenantindex.client.ReplicaChange;
import io.tenantindex.common.Json;
import io.tenantindex.common.http.MiniHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A change visible in an embedded replica: tenant-index-client's {@link EmbeddedReplica} in this JVM
 * follows stack colo ORD's change feed while {@link LoadTools#lagSteady} writes at the steady lag
 * rate; per write, writer ack → the replica's listener called with that version. The same run's
 * tokened-GET lag to the three colos is reported beside it, so the two compare on one load.
 */
final class ReplicaLagBench implements Benchmark {
    private static final int ACKED = 0;
    private static final int HEARD = 1;

    /** tenantId:version → {ack time, listener time}; whichever comes second records the lag. */
    private final Map<String, long[]> meetings = new ConcurrentHashMap<>();
    private final Latencies replicaLag = new Latencies();
    private final AtomicLong heardBeforeAck = new AtomicLong();
    /** Off while the snapshot is told to the listener: only the run's own writes are matched. */
    private volatile boolean measuring;

    @Override
    public void run(BenchRun run) throws Exception {
        double seconds = run.options.lagSeconds;
        double rate = run.options.lagRate;
        String ord = "http://" + LoadTools.HOST + ":" + run.stack.colos.get("ORD");
        System.out.printf("bench: embedded replica on ORD's feed, %.0f writes/s for %.0f s%n", rate, seconds);
        long started = System.nanoTime();
        try (EmbeddedReplica replica = EmbeddedReplica.builder().colos(List.of(ord)).listener(this::heard).start()) {
            if (!replica.awaitReady(Duration.ofMinutes(10))) {
                throw new IllegalStateException("the embedded replica did not receive ORD's snapshot in 10 minutes");
            }
            double snapshotSeconds = (System.nanoTime() - started) / 1e9;
            int entries = replica.size();
            measuring = true;
            LoadTools.LagResult s = LoadTools.lagSteady(run.stack.writerPort, run.stack.coloPorts(), rate, 32, seconds, run.tenants(),
                    this::acked);
            // The last writes' changes may still be on their way to the listener.
            long drainUntil = System.nanoTime() + 5_000_000_000L;
            while (!meetings.isEmpty() && System.nanoTime() < drainUntil) {
                Thread.sleep(20);
            }
            long unmatched = meetings.size();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("ack_to_listener", replicaLag.summaryMs());
            d.put("heard_before_the_ack_arrived", heardBeforeAck.get());
            d.put("writes_never_heard", unmatched);
            d.put("colo_lag_all_colos_same_run", s.lag().summaryMs());
            d.put("snapshot_entries", entries);
            d.put("snapshot_seconds", Math.round(snapshotSeconds * 1000) / 1000.0);
            d.put("snapshots", replica.snapshots());
            run.report.details.put("embedded replica lag", d);
            String how = String.format(Locale.ROOT, "tenant-index-client's EmbeddedReplica in the bench JVM on ORD's GET /changes (SSE; its "
                    + "snapshot of %,d entries took %.1f s), during an open-loop run of %.0f PUT/s for %.0f s as in the replication-lag "
                    + "benchmark (%d writes): per write, the writer's ack → the replica's listener called with that version (%d writes "
                    + "heard before their ack was read, counted as 0; %d never heard). Same run, ack → a tokened GET answered by all "
                    + "3 colos: p50 %.3f ms, p99 %.3f ms", entries, snapshotSeconds, rate, seconds, s.writes(), heardBeforeAck.get(),
                    unmatched, Latencies.ms(s.lag().percentile(50)), Latencies.ms(s.lag().percentile(99)));
            run.report.add("Replication lag", "ack → embedded replica listener at " + (long) rate + " writes/s: p50",
                    Latencies.ms(replicaLag.percentile(50)), "ms", how);
            run.report.add("Replication lag", "  p99 (same run)", Latencies.ms(replicaLag.percentile(99)), "ms",
                    "colos' tokened-GET lag in the same run: p99 " + Latencies.ms(s.lag().percentile(99)) + " ms");
        }
    }

    private void acked(String tenantId, MiniHttp.Response answer, long ackedNanos) {
        try {
            long version = Json.MAPPER.readTree(answer.body()).get("version").asLong();
            meet(tenantId + ":" + version, ACKED, ackedNanos);
        } catch (IOException e) {
            throw new IllegalStateException("a PUT answer without a version: " + answer.bodyText(), e);
        }
    }

    private void heard(ReplicaChange change) {
        if (measuring && change.kind() == ReplicaChange.Kind.UPSERT) {
            meet(change.tenantId() + ":" + change.version(), HEARD, System.nanoTime());
        }
    }

    private void meet(String key, int side, long nanos) {
        meetings.compute(key, (k, times) -> {
            if (times == null) {
                long[] first = {-1, -1};
                first[side] = nanos;
                return first;
            }
            times[side] = nanos;
            long lag = times[HEARD] - times[ACKED];
            if (lag < 0) {
                heardBeforeAck.incrementAndGet();
            }
            replicaLag.add(Math.max(0, lag));
            return null;
        });
    }
}
