package io.tenantindex.bench;

import io.tenantindex.common.api.ColoStats;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.http.MiniHttp;
import io.tenantindex.protocol.ConsistencyToken;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many open change feeds ({@code GET /changes}, SSE) one colo holds and what they cost it: N
 * streams resumed from the colo's current position (no snapshot), held idle, then fed a burst of
 * writes; the colo's heap (after a full GC, from its /metrics), RSS and CPU (from /proc) with and
 * without them, per 1,000 feeds. The feeds are raw non-blocking sockets read by one selector thread
 * of this JVM, so the client side costs one thread whatever N is.
 */
final class OpenFeedsBench implements Benchmark {
    private static final int[] LEVELS = {1000, 5000};
    private static final long IDLE_SECONDS = 20;
    private static final int BURST = 200;
    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.E+-]+)$", Pattern.MULTILINE);
    private static final Pattern OPEN = Pattern.compile("^tenant_index_feeds_open\\{[^}]*} ([0-9.E+-]+)$", Pattern.MULTILINE);
    private static final Pattern SENT = Pattern.compile("^tenant_index_feed_events_sent_total\\{[^}]*} ([0-9.E+-]+)$", Pattern.MULTILINE);

    @Override
    public void run(BenchRun run) throws Exception {
        int port = run.colo.port();
        long pid = run.coloJvm.pid();
        String token = currentToken(port);
        Map<String, Object> details = new LinkedHashMap<>();
        for (int n : LEVELS) {
            System.out.printf("bench: %d open change feeds on the colo%n", n);
            long heapBefore = heapAfterGc(pid, port);
            long rssBefore = Procs.procStatusKib(pid, "VmRSS");
            long idleBaseTicks = cpuTicksOver(pid, IDLE_SECONDS / 2);
            try (Feeds feeds = Feeds.open(port, token, n)) {
                feeds.awaitStarted(n, 60);
                long idleTicks = cpuTicksOver(pid, IDLE_SECONDS);
                int open = openFeeds(port);
                long heapWith = heapAfterGc(pid, port);
                long rssWith = Procs.procStatusKib(pid, "VmRSS");

                long ticks0 = Procs.cpuTicks(pid);
                long events0 = feeds.events.get();
                long sent0 = gauge(port, SENT);
                long started = System.nanoTime();
                writeBurst(run.stack.writerPort, run.tenants());
                boolean delivered = awaitSent(port, sent0 + (long) open * BURST, 120);
                double deliverSeconds = (System.nanoTime() - started) / 1e9;
                long burstTicks = Procs.cpuTicks(pid) - ticks0;

                double per1000 = 1000.0 / n;
                double heapMib = (heapWith - heapBefore) / 1048576.0 * per1000;
                double rssMib = (rssWith - rssBefore) / 1024.0 * per1000;
                // Clock ticks are 1/100 s: ticks per second are percent of a core.
                double idleCorePct = (idleTicks / (double) IDLE_SECONDS - idleBaseTicks / (IDLE_SECONDS / 2.0)) * per1000;
                double burstCpuMsPerChange = burstTicks * 10.0 / BURST * per1000;
                String how = String.format(Locale.ROOT, "%,d SSE streams (raw sockets, Last-Event-ID = the colo's position, so no "
                        + "snapshot) held by one colo (-Xmx%s), %d s idle (heartbeat every 15 s); %d still open after it (colo's gauge)",
                        n, run.options.coloHeap, IDLE_SECONDS, open);
                String section = "Change feed";
                run.report.add(section, String.format(Locale.ROOT, "open feeds held (%,d asked)", n), open, "feeds", how);
                run.report.add(section, String.format(Locale.ROOT, "  colo heap per 1,000 open feeds (at %,d)", n), heapMib, "MiB",
                        "heap used after a full GC (jcmd GC.run) from the colo's /metrics, with the feeds minus before them, per 1,000");
                run.report.add(section, String.format(Locale.ROOT, "  colo RSS per 1,000 open feeds (at %,d)", n), rssMib, "MiB",
                        "VmRSS with the feeds minus before them, per 1,000");
                run.report.add(section, String.format(Locale.ROOT, "  colo CPU of 1,000 idle feeds (at %,d)", n), idleCorePct, "% of a core",
                        "colo CPU ticks over the idle period minus its baseline rate without feeds, per 1,000");
                run.report.add(section, String.format(Locale.ROOT, "  colo CPU per change sent to 1,000 feeds (at %,d)", n),
                        burstCpuMsPerChange, "ms", String.format(Locale.ROOT, "%d PUTs at the writer, colo CPU until every feed had "
                                + "them by its events-sent counter (%s in %.1f s), per change and 1,000 feeds (includes applying "
                                + "the change; the machine is shared, so CPU figures are noisy)",
                                BURST, delivered ? "all delivered" : "NOT all delivered", deliverSeconds));
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("open", open);
                d.put("heap_before_bytes", heapBefore);
                d.put("heap_with_bytes", heapWith);
                d.put("rss_before_kib", rssBefore);
                d.put("rss_with_kib", rssWith);
                d.put("idle_ticks", idleTicks);
                d.put("baseline_ticks_half_period", idleBaseTicks);
                d.put("burst_ticks", burstTicks);
                d.put("events_received", feeds.events.get() - events0);
                d.put("bytes_received", feeds.bytes.get());
                details.put(Integer.toString(n), d);
            }
            // The next level starts from the position after this burst.
            token = currentToken(port);
        }
        run.report.details.put("open change feeds", details);
    }

    /** The colo's applied position as a token naming every partition: a resume from it sends no snapshot. */
    private static String currentToken(int port) throws IOException {
        ColoStats stats = BenchRun.stats(port);
        int partitions = Integer.parseInt(ConfigKeys.defaultOf(ConfigKeys.INDEX_PARTITIONS));
        return new ConsistencyToken(ConfigKeys.defaultOf(ConfigKeys.INDEX_TOPIC), partitions, new TreeMap<>(stats.position())).encode();
    }

    private static long cpuTicksOver(long pid, long seconds) throws InterruptedException {
        long before = Procs.cpuTicks(pid);
        TimeUnit.SECONDS.sleep(seconds);
        return Procs.cpuTicks(pid) - before;
    }

    private static long heapAfterGc(long pid, int port) throws Exception {
        Procs.run(List.of("jcmd", Long.toString(pid), "GC.run"), 60);
        Matcher m = HEAP.matcher(Scrape.metrics(port));
        long sum = 0;
        while (m.find()) {
            sum += (long) Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static int openFeeds(int port) throws IOException {
        return (int) gauge(port, OPEN);
    }

    private static long gauge(int port, Pattern metric) throws IOException {
        return (long) Scrape.value(Scrape.metrics(port), metric);
    }

    /** Until the colo has written {@code total} events (its counter): every open feed had the burst. */
    private static boolean awaitSent(int port, long total, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (gauge(port, SENT) < total && System.nanoTime() < deadline) {
            // Seldom: a scrape of the colo's /metrics costs it CPU too, which would count against the feeds.
            TimeUnit.MILLISECONDS.sleep(500);
        }
        return gauge(port, SENT) >= total;
    }

    private static void writeBurst(int writerPort, long tenants) throws IOException {
        try (MiniHttp http = new MiniHttp(LoadTools.HOST, writerPort)) {
            for (int i = 0; i < BURST; i++) {
                long tenant = i % Math.max(1, tenants);
                MiniHttp.Response r = http.request("PUT", "/tenants/" + Tenants.id(tenant), null,
                        Tenants.body(tenant, 1000 + i).getBytes(StandardCharsets.UTF_8));
                if (r.status() >= 300) {
                    throw new IllegalStateException("PUT answered " + r.status() + ": " + r.bodyText());
                }
            }
        }
    }

    /** N open SSE streams, read and discarded by one selector thread that counts bytes and events. */
    private static final class Feeds implements AutoCloseable {
        private static final byte[] ID = "\nid: ".getBytes(StandardCharsets.US_ASCII);
        final AtomicLong events = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong started = new AtomicLong();
        private final Selector selector;
        private final List<SocketChannel> channels = new ArrayList<>();
        private final Thread reader;
        private volatile boolean closed;

        private Feeds(Selector selector) {
            this.selector = selector;
            this.reader = new Thread(this::read, "feed-readers");
            reader.setDaemon(true);
        }

        static Feeds open(int port, String token, int n) throws IOException {
            Feeds f = new Feeds(Selector.open());
            byte[] request = ("GET /changes HTTP/1.1\r\nHost: " + LoadTools.HOST + "\r\nAccept: text/event-stream\r\nLast-Event-ID: "
                    + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < n; i++) {
                SocketChannel c = SocketChannel.open(new InetSocketAddress(LoadTools.HOST, port));
                c.write(ByteBuffer.wrap(request));
                c.configureBlocking(false);
                f.channels.add(c);
                c.register(f.selector, SelectionKey.OP_READ, new int[] {0});
            }
            f.reader.start();
            return f;
        }

        private void read() {
            ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
            byte[] chunk = new byte[64 * 1024];
            while (!closed) {
                try {
                    selector.select(200);
                    for (SelectionKey key : selector.selectedKeys()) {
                        SocketChannel c = (SocketChannel) key.channel();
                        buf.clear();
                        int read = c.read(buf);
                        if (read < 0) {
                            key.cancel();
                            continue;
                        }
                        bytes.addAndGet(read);
                        buf.flip();
                        buf.get(chunk, 0, read);
                        int[] state = (int[]) key.attachment();
                        if (state[0] == 0) {
                            state[0] = 1;
                            started.incrementAndGet();
                        }
                        events.addAndGet(count(chunk, read));
                    }
                    selector.selectedKeys().clear();
                } catch (ClosedSelectorException e) {
                    return;
                } catch (IOException e) {
                    // A feed that failed stops counting; the colo's gauge says how many stayed open.
                }
            }
        }

        /** Change events in a chunk: their "id:" lines (an event split across reads may be missed, at most one per read). */
        private static int count(byte[] chunk, int length) {
            int n = 0;
            outer:
            for (int i = 0; i + ID.length <= length; i++) {
                for (int j = 0; j < ID.length; j++) {
                    if (chunk[i + j] != ID[j]) {
                        continue outer;
                    }
                }
                n++;
            }
            return n;
        }

        void awaitStarted(int n, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (started.get() < n && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }

        @Override
        public void close() throws IOException {
            closed = true;
            for (SocketChannel c : channels) {
                c.close();
            }
            selector.close();
        }
    }
}
