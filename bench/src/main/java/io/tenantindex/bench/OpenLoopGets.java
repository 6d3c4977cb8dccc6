package io.tenantindex.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * GETs at a fixed total rate over keep-alive connections, each request with a scheduled send time
 * from which its latency counts (the wrk2 correction for coordinated omission: a request a stall
 * delayed is measured from when it was due, not from when it could be sent).
 *
 * <p>Two threads for all connections: one sends each request when it is due (request {@code i} on
 * connection {@code i % conns}), one reads every answer through a selector. A thread per
 * connection with blocking sockets, as before, cost the bench JVM more CPU per request than the
 * servers it measured: at 25k req/s it and the server took both cores, and nginx's p50 was 384 ms.
 * A connection has at most one request in flight (HTTP/1.1 without pipelining); a request due while
 * its connection waits for an answer is sent as soon as that answer is read.
 */
final class OpenLoopGets {
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(30);
    /**
     * The sender sleeps at least this long between sends, then sends everything due by then: a wake-up
     * per request cost the generator as much CPU as a server's answer. Never early, so each request's
     * latency still counts from its due time and includes this lateness (wrk2's timers tick in ms).
     */
    private static final long SEND_QUANTUM_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    /** What one run measured, and the CPU the generator's two threads used for it. */
    record Result(Latencies latencies, long ok, long errors, double seconds, double targetRate, long generatorCpuNanos) {
        double perSecond() {
            return ok / seconds;
        }

        double generatorMicrosPerRequest() {
            return generatorCpuNanos / 1e3 / Math.max(1, ok + errors);
        }
    }

    private final Latencies latencies = new Latencies();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final List<Connection> connections = new ArrayList<>();
    /** The first thing that went wrong on either thread: the run is then a failure, not a figure. */
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final String hostHeader;
    private final LongFunction<String> path;
    private final long keys;
    private final long t0;
    private final long intervalNanos;

    private OpenLoopGets(int port, LongFunction<String> path, double rate, int conns, long keys) {
        this.hostHeader = LoadTools.HOST + ":" + port;
        this.path = path;
        this.keys = keys;
        this.intervalNanos = (long) (1e9 * conns / rate);
        this.t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        for (int c = 0; c < conns; c++) {
            connections.add(new Connection(port, t0 + (long) (1e9 * c / rate)));
        }
    }

    /** {@code rate} GETs per second of {@code path} (of a random key below {@code keys}) for {@code seconds}. */
    static Result run(int port, LongFunction<String> path, double rate, int conns, double seconds, long keys)
            throws InterruptedException {
        OpenLoopGets gets = new OpenLoopGets(port, path, rate, conns, keys);
        try (Selector selector = Selector.open()) {
            for (Connection c : gets.connections) {
                c.channel.register(selector, SelectionKey.OP_READ, c);
            }
            long end = gets.t0 + (long) (seconds * 1e9);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long[] cpu = new long[2];
            Thread reader = LoadTools.thread("open-loop-reader", gets.failingWith(() -> gets.readUntilDrained(selector, end), cpu, 0, threads));
            Thread sender = LoadTools.thread("open-loop-sender", gets.failingWith(() -> gets.sendUntil(end), cpu, 1, threads));
            LoadTools.joinAll(List.of(reader, sender));
            if (gets.failure.get() != null) {
                throw gets.failure.get();
            }
            return new Result(gets.latencies, gets.ok.get(), gets.errors.get() + gets.unanswered(), seconds, rate, cpu[0] + cpu[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            gets.connections.forEach(Connection::close);
        }
    }

    /** {@code body}, then its thread's CPU time into {@code cpu[slot]}; what it throws is the run's failure. */
    private Runnable failingWith(Runnable body, long[] cpu, int slot, ThreadMXBean threads) {
        return () -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            } finally {
                cpu[slot] = threads.getCurrentThreadCpuTime();
            }
        };
    }

    /** The sender: marks each request due at its time and sends it if its connection is free. */
    private void sendUntil(long end) {
        int conns = connections.size();
        for (long i = 0; ; i++) {
            Connection c = connections.get((int) (i % conns));
            long due = c.dueOf(i / conns);
            if (due >= end || failure.get() != null) {
                return;
            }
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(Math.max(wait, SEND_QUANTUM_NANOS));
            }
            c.becameDue();
        }
    }

    /** The reader: every answer of every connection, until the last request due has been answered (or a drain timeout). */
    private void readUntilDrained(Selector selector, long end) {
        try {
            while (failure.get() == null && (System.nanoTime() < end || (!drained() && System.nanoTime() < end + DRAIN_NANOS))) {
                selector.select(10);
                for (SelectionKey key : selector.selectedKeys()) {
                    ((Connection) key.attachment()).readAnswers();
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean drained() {
        return connections.stream().allMatch(Connection::idle);
    }

    private long unanswered() {
        return connections.stream().mapToLong(Connection::unanswered).sum();
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                return Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        // Every server measured here sends one; a chunked answer would be misread, so it is a failure, not a guess.
        throw new IllegalStateException("an answer without Content-Length: " + head.lines().findFirst().orElse(""));
    }

    /** One keep-alive connection's schedule and its one request in flight; guarded by itself between the two threads. */
    private final class Connection {
        final SocketChannel channel;
        private final long firstDue;
        private ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        /** Requests due so far, sent so far; {@code sent - 1} is in flight while {@link #inFlight}. */
        private long due;
        private long sent;
        private boolean inFlight;

        Connection(int port, long firstDue) {
            this.firstDue = firstDue;
            try {
                channel = SocketChannel.open(new InetSocketAddress(LoadTools.HOST, port));
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot connect to " + LoadTools.HOST + ":" + port, e);
            }
        }

        long dueOf(long k) {
            return firstDue + k * intervalNanos;
        }

        synchronized void becameDue() {
            due++;
            if (!inFlight) {
                sendNext();
            }
        }

        synchronized boolean idle() {
            return !inFlight && sent == due;
        }

        synchronized long unanswered() {
            return due - sent + (inFlight ? 1 : 0);
        }

        /** Reads what arrived and completes each whole answer in it. */
        synchronized void readAnswers() {
            try {
                if (channel.read(in) < 0) {
                    throw new IOException("the server closed the connection");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int length;
            while (inFlight && (length = answerLength()) > 0) {
                long latency = System.nanoTime() - dueOf(sent - 1);
                (status() == 200 ? ok : errors).incrementAndGet();
                latencies.add(latency);
                in.flip().position(length);
                in.compact();
                inFlight = false;
                if (sent < due) {
                    sendNext();
                }
            }
            if (!in.hasRemaining()) {
                in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
            }
        }

        private void sendNext() {
            String request = "GET " + path.apply(ThreadLocalRandom.current().nextLong(keys)) + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n";
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
            try {
                // A request of ~60 bytes into an idle connection's empty socket buffer: one write takes it all.
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sent++;
            inFlight = true;
        }

        /** The length of the whole answer at the buffer's start (head and Content-Length body), or 0 if not all here yet. */
        private int answerLength() {
            byte[] b = in.array();
            int n = in.position();
            for (int i = 3; i < n; i++) {
                if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                    int total = i + 1 + contentLength(new String(b, 0, i + 1, StandardCharsets.ISO_8859_1));
                    return total <= n ? total : 0;
                }
            }
            return 0;
        }

        private int status() {
            return Integer.parseInt(new String(in.array(), 9, 3, StandardCharsets.ISO_8859_1));
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing after the run: nothing left to measure
            }
        }
    }
}
