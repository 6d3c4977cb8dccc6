package io.tenantindex.bench;

import io.tenantindex.common.Json;
import io.tenantindex.common.api.ImportReport;
import io.tenantindex.common.http.MiniHttp;
import io.tenantindex.protocol.ApiHeaders;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** The Java load generators of the bench: import, PUTs, replication lag, open-loop GETs. All loopback, all bounded in time. */
final class LoadTools {
    static final String HOST = "127.0.0.1";
    private static final String TOKEN_HEADER = ApiHeaders.CONSISTENCY_TOKEN + ": ";

    private LoadTools() {
    }

    // ---------------------------------------------------------------- import

    record ImportResult(long lines, long written, long failed, double seconds, String token) {
        double perSecond() {
            return written / seconds;
        }
    }

    /** One {@code POST /tenants:import} of tenants [from, to), streamed (chunked) as it is generated. */
    static ImportResult importRange(int writerPort, long from, long to) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + writerPort + "/tenants:import"))
                .header("Content-Type", "application/x-ndjson").timeout(Duration.ofMinutes(15))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> Tenants.ndjson(from, to))).build();
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (r.statusCode() != 200) {
            throw new IllegalStateException("import answered " + r.statusCode() + ": " + abbreviate(r.body()));
        }
        ImportReport body = Json.readAnswer(r.body(), ImportReport.class);
        return new ImportResult(body.lines(), body.written(), body.failed(), seconds, body.token());
    }

    // ---------------------------------------------------------------- closed loop: PUTs, GETs

    record ClosedLoopResult(Latencies latencies, long ok, long errors, double seconds) {
        double perSecond() {
            return ok / seconds;
        }
    }

    /** {@code conns} connections, each PUTting updates of random existing tenants back to back for {@code seconds}. */
    static ClosedLoopResult puts(int writerPort, int conns, double seconds, long tenants) throws InterruptedException {
        return closedLoop("put-", new int[] {writerPort}, conns, seconds, tenants, LoadTools::putUpdate);
    }

    /**
     * {@code conns} connections, connection c to {@code ports[c % ports.length]} (round robin over the
     * instances, by connection), each GETting random tenants back to back for {@code seconds}.
     */
    static ClosedLoopResult gets(int[] ports, int conns, double seconds, long tenants) throws InterruptedException {
        return closedLoop("get-", ports, conns, seconds, tenants, (http, i) -> http.request("GET", "/tenants/" + Tenants.id(i), null, null));
    }

    private static ClosedLoopResult closedLoop(String name, int[] ports, int conns, double seconds, long tenants, Request request)
            throws InterruptedException {
        Latencies lat = new Latencies();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        joinAll(closedLoop(name, ports, conns, end, tenants, request, errors, (i, r, latency, answered) -> {
            lat.add(latency);
            (r.status() / 100 == 2 ? ok : errors).incrementAndGet();
        }));
        return new ClosedLoopResult(lat, ok.get(), errors.get(), (System.nanoTime() - t0) / 1e9);
    }

    /** One request of a closed-loop worker about tenant {@code i}. */
    private interface Request {
        MiniHttp.Response send(MiniHttp http, long i) throws IOException;
    }

    /** What a closed-loop worker does with each answer it got. */
    private interface Answer {
        void accept(long tenant, MiniHttp.Response r, long latencyNanos, long answeredNanos);
    }

    private static MiniHttp.Response putUpdate(MiniHttp http, long i) throws IOException {
        return http.request("PUT", "/tenants/" + Tenants.id(i), null,
                Tenants.body(i, ThreadLocalRandom.current().nextInt(1000)).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code conns} threads (not yet started), thread c on its own connection to {@code ports[c % ports.length]}
     * sending {@code request} about random existing tenants back to back until {@code end}; a failed request
     * counts in {@code ioErrors}.
     */
    private static List<Thread> closedLoop(String name, int[] ports, int conns, long end, long tenants, Request request,
                                           AtomicLong ioErrors, Answer onAnswer) {
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < conns; c++) {
            int port = ports[c % ports.length];
            threads.add(thread(name + c, () -> {
                try (MiniHttp http = new MiniHttp(HOST, port)) {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (System.nanoTime() < end) {
                        long i = rnd.nextLong(tenants);
                        long s = System.nanoTime();
                        try {
                            MiniHttp.Response r = request.send(http, i);
                            long answered = System.nanoTime();
                            onAnswer.accept(i, r, answered - s, answered);
                        } catch (IOException e) {
                            ioErrors.incrementAndGet();
                        }
                    }
                }
            }));
        }
        return threads;
    }

    // ---------------------------------------------------------------- replication lag

    /**
     * @param lag        writer ack → answered by every colo (the slowest of the three)
     * @param perColo    writer ack → answered, each colo's sample on its own
     * @param pickup     ack → the visibility check was sent (at max rate the checkers queue; lag includes it)
     * @param put        PUT latency, from its scheduled send time at a fixed rate (no coordinated omission)
     */
    record LagResult(Latencies lag, Latencies perColo, Latencies pickup, Latencies put, long writes, long checked,
                     long failedChecks, long putErrors, double seconds) {
        double writesPerSecond() {
            return writes / seconds;
        }
    }

    /**
     * Open loop at {@code rate} writes/s from {@code workers} threads. After each ack the worker sends a
     * tokened GET (read-your-writes: answered once the colo applied the write) to every colo at once,
     * then reads the three answers: the last answer's arrival − ack time is the write's lag.
     */
    static LagResult lagSteady(int writerPort, int[] coloPorts, double rate, int workers, double seconds, long tenants)
            throws InterruptedException {
        return lagSteady(writerPort, coloPorts, rate, workers, seconds, tenants, (tenantId, answer, ackedNanos) -> { });
    }

    /** What else is told of each acknowledged write of {@link #lagSteady}, on the worker's thread, before its visibility check. */
    interface AckHook {
        void acked(String tenantId, MiniHttp.Response answer, long ackedNanos);
    }

    /** {@link #lagSteady(int, int[], double, int, double, long)}, telling {@code onAck} of every acknowledged write. */
    static LagResult lagSteady(int writerPort, int[] coloPorts, double rate, int workers, double seconds, long tenants, AckHook onAck)
            throws InterruptedException {
        Latencies lag = new Latencies();
        Latencies perColo = new Latencies();
        Latencies pickup = new Latencies();
        Latencies put = new Latencies();
        AtomicLong writes = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong putErrors = new AtomicLong();
        long t0 = paced("lag", workers, rate, seconds, () -> new PacedWorker() {
            final MiniHttp writer = new MiniHttp(HOST, writerPort);
            final MiniHttp[] colos = connections(coloPorts);

            @Override
            public void send(long due) {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long i = rnd.nextLong(tenants);
                try {
                    MiniHttp.Response r = writer.request("PUT", "/tenants/" + Tenants.id(i), null,
                            Tenants.body(i, rnd.nextInt(1000)).getBytes(StandardCharsets.UTF_8));
                    long acked = System.nanoTime();
                    put.add(acked - due);
                    if (r.status() / 100 != 2 || r.token() == null) {
                        putErrors.incrementAndGet();
                        return;
                    }
                    writes.incrementAndGet();
                    onAck.acked(Tenants.id(i), r, acked);
                    pickup.add(0);
                    if (!checkVisible(colos, Tenants.id(i), r.token(), acked, lag, perColo)) {
                        failed.incrementAndGet();
                    }
                } catch (IOException e) {
                    putErrors.incrementAndGet();
                }
            }

            @Override
            public void close() {
                writer.close();
                closeAll(colos);
            }
        });
        // Workers that fell behind their schedule finish late: the achieved rate uses the real elapsed time.
        double took = (System.nanoTime() - t0) / 1e9;
        return new LagResult(lag, perColo, pickup, put, writes.get(), lag.count(), failed.get(), putErrors.get(), took);
    }

    private record Ack(String tenantId, String token, long ackedNanos) {
    }

    /**
     * The writer at its maximum: {@code putConns} connections PUT back to back; every ack goes to a
     * queue that {@code checkers} threads drain, each checking one write in all colos at a time.
     * Acks that find the queue full are not checked (counted). The lag includes the pickup delay
     * (reported apart), so at saturation it is an upper bound.
     */
    static LagResult lagAtMax(int writerPort, int[] coloPorts, int putConns, int checkers, double seconds, long tenants)
            throws InterruptedException {
        Latencies lag = new Latencies();
        Latencies perColo = new Latencies();
        Latencies pickup = new Latencies();
        Latencies put = new Latencies();
        AtomicLong writes = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong putErrors = new AtomicLong();
        BlockingQueue<Ack> acks = new ArrayBlockingQueue<>(256);
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        List<Thread> producers = closedLoop("maxput-", new int[] {writerPort}, putConns, end, tenants, LoadTools::putUpdate, putErrors, (i, r, latency, acked) -> {
            put.add(latency);
            if (r.status() / 100 != 2 || r.token() == null) {
                putErrors.incrementAndGet();
                return;
            }
            writes.incrementAndGet();
            acks.offer(new Ack(Tenants.id(i), r.token(), acked));
        });
        List<Thread> checkerThreads = new ArrayList<>();
        for (int c = 0; c < checkers; c++) {
            checkerThreads.add(thread("check-" + c, () -> {
                MiniHttp[] colos = connections(coloPorts);
                try {
                    while (System.nanoTime() < end + 2_000_000_000L) {
                        Ack a = acks.poll(100, TimeUnit.MILLISECONDS);
                        if (a == null) {
                            if (System.nanoTime() > end) {
                                break;
                            }
                            continue;
                        }
                        pickup.add(System.nanoTime() - a.ackedNanos);
                        if (!checkVisible(colos, a.tenantId, a.token, a.ackedNanos, lag, perColo)) {
                            failed.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    closeAll(colos);
                }
            }));
        }
        // Checkers run from the start, beside the producers.
        checkerThreads.forEach(Thread::start);
        joinAll(producers);
        double took = (System.nanoTime() - t0) / 1e9;
        for (Thread t : checkerThreads) {
            t.join();
        }
        return new LagResult(lag, perColo, pickup, put, writes.get(), lag.count(), failed.get(), putErrors.get(), took);
    }

    /** Sends the tokened lookup to every colo, then reads the answers; false if any colo did not answer 200. */
    private static boolean checkVisible(MiniHttp[] colos, String tenantId, String token, long ackedNanos,
                                        Latencies lag, Latencies perColo) {
        String path = "/tenants/" + tenantId + "?wait=5000";
        String headers = TOKEN_HEADER + token + "\r\n";
        try {
            for (MiniHttp c : colos) {
                c.send("GET", path, headers, null);
            }
            long last = 0;
            boolean allOk = true;
            for (MiniHttp c : colos) {
                MiniHttp.Response r = c.receive();
                long t = System.nanoTime() - ackedNanos;
                perColo.add(t);
                last = Math.max(last, t);
                allOk &= r.status() == 200;
            }
            if (allOk) {
                lag.add(last);
            }
            return allOk;
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- helpers

    /** One connection's share of an open-loop schedule. */
    interface PacedWorker extends AutoCloseable {
        /** Sends one request due at {@code dueNanos}; its latency counts from then. */
        void send(long dueNanos);

        @Override
        void close();
    }

    /**
     * Runs {@code workers} threads that together send {@code rate} requests per second for
     * {@code seconds}, each on a fixed schedule: a request delayed by a stall is still measured from
     * its due time (the wrk2 correction for coordinated omission). Returns the schedule's start.
     */
    static long paced(String name, int workers, double rate, double seconds, Supplier<PacedWorker> newWorker)
            throws InterruptedException {
        long interval = (long) (1e9 * workers / rate);
        long t0 = System.nanoTime() + 50_000_000;
        long end = t0 + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            long offset = (long) (1e9 * w / rate);
            threads.add(thread(name + "-" + w, () -> {
                try (PacedWorker worker = newWorker.get()) {
                    for (long due = t0 + offset; due < end; due += interval) {
                        parkUntil(due);
                        worker.send(due);
                    }
                }
            }));
        }
        joinAll(threads);
        return t0;
    }

    private static MiniHttp[] connections(int[] ports) {
        MiniHttp[] out = new MiniHttp[ports.length];
        for (int i = 0; i < ports.length; i++) {
            out[i] = new MiniHttp(HOST, ports[i]);
        }
        return out;
    }

    private static void closeAll(MiniHttp[] conns) {
        for (MiniHttp c : conns) {
            c.close();
        }
    }

    private static void parkUntil(long due) {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    static void joinAll(List<Thread> threads) throws InterruptedException {
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
    }

    static String abbreviate(String s) {
        return s == null ? "" : s.length() > 500 ? s.substring(0, 500) + "…" : s;
    }

    /** A named daemon thread, not yet started. */
    static Thread thread(String name, Runnable body) {
        return io.tenantindex.common.DaemonThreads.newThread(name, body);
    }
}
