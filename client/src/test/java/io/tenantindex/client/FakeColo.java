package io.tenantindex.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tenantindex.protocol.ApiHeaders;
import io.tenantindex.protocol.ChangeEvent;
import io.tenantindex.protocol.TenantEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A colo (or writer) over real HTTP for the client's unit tests, on the JDK's own HTTP server (the
 * client may not have Javalin on its classpath): {@code GET/PUT/DELETE /tenants/{id}} from a map,
 * and {@code GET /changes} as SSE — the snapshot unless {@code since}, then the events the test
 * {@link #push}es, until the test {@link #cut}s the stream or stops the server.
 */
final class FakeColo implements AutoCloseable {
    final Map<String, TenantEntry> tenants = new ConcurrentHashMap<>();
    /** The {@code since} of every /changes request, "" for none. */
    final List<String> sinces = new CopyOnWriteArrayList<>();
    /** The X-Consistency-Token of every tenants request, "" for none. */
    final List<String> tokens = new CopyOnWriteArrayList<>();
    final AtomicInteger lookups = new AtomicInteger();
    /** Tokens answered 410 CHANGES_GONE. */
    final Set<String> gone = ConcurrentHashMap.newKeySet();
    volatile int lookupStatus = 200;
    /** While set, lookups are held until it is counted down (a colo that does not answer in time). */
    volatile CountDownLatch holdLookups;
    volatile String snapshotToken = "t0";
    /** Token the next write answers with; the write's request token is recorded. */
    volatile String writeToken = "w1";
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(DaemonThreads.named("fake-colo"));
    private final HttpServer server;
    private volatile boolean stopped;
    private volatile int cuts;

    FakeColo(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(threads);
        server.createContext("/tenants/", this::tenant);
        server.createContext("/changes", this::changes);
        server.start();
    }

    static FakeColo start() throws IOException {
        return new FakeColo(0);
    }

    /** For field initialisers: a server that cannot start fails the test. */
    static FakeColo startQuietly() {
        try {
            return start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Sends {@code event} on the open stream (or the next one), with {@code id:} = its token. */
    void push(ChangeEvent event) {
        frames.add(frame(event));
    }

    void pushComment(String text) {
        frames.add(": " + text + "\n\n");
    }

    /** Ends the open stream (as a colo's shutdown does). */
    void cut() {
        cuts++;
    }

    private static String frame(ChangeEvent event) {
        try {
            return "event: " + event.type().wireName() + "\n" + (event.token() == null ? "" : "id: " + event.token() + "\n")
                    + "data: " + ClientJson.MAPPER.writeValueAsString(event) + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void tenant(HttpExchange ex) throws IOException {
        tokens.add(ex.getRequestHeaders().getFirst(ApiHeaders.CONSISTENCY_TOKEN) == null ? ""
                : ex.getRequestHeaders().getFirst(ApiHeaders.CONSISTENCY_TOKEN));
        String id = ex.getRequestURI().getPath().substring("/tenants/".length());
        switch (ex.getRequestMethod()) {
            case "GET" -> {
                lookups.incrementAndGet();
                CountDownLatch hold = holdLookups;
                if (hold != null) {
                    try {
                        hold.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                TenantEntry entry = tenants.get(id);
                if (lookupStatus != 200) {
                    answer(ex, lookupStatus, "{\"error\":\"NOT_READY\",\"message\":\"colo is restoring\"}");
                } else if (entry == null) {
                    answer(ex, 404, "{\"error\":\"TENANT_NOT_FOUND\",\"message\":\"tenant '" + id + "' is not registered\"}");
                } else {
                    answer(ex, 200, ClientJson.MAPPER.writeValueAsString(entry));
                }
            }
            case "PUT" -> {
                var body = ClientJson.MAPPER.readTree(ex.getRequestBody());
                TenantEntry held = tenants.get(id);
                TenantEntry entry = new TenantEntry(id, "d0", body.path("coloHint").asText(null), held == null ? 1 : held.version() + 1,
                        ClientJson.MAPPER.treeToValue(body.get("metadata"), TenantEntry.Metadata.class), 1L, 2L);
                tenants.put(id, entry);
                ex.getResponseHeaders().add(ApiHeaders.CONSISTENCY_TOKEN, writeToken);
                answer(ex, held == null ? 201 : 200, ClientJson.MAPPER.writeValueAsString(entry));
            }
            default -> {
                tenants.remove(id);
                ex.getResponseHeaders().add(ApiHeaders.CONSISTENCY_TOKEN, writeToken);
                ex.sendResponseHeaders(204, -1);
                ex.close();
            }
        }
    }

    private void changes(HttpExchange ex) throws IOException {
        String query = ex.getRequestURI().getRawQuery();
        String since = query == null || !query.startsWith("since=") ? "" : URLDecoder.decode(query.substring(6), StandardCharsets.UTF_8);
        sinces.add(since);
        if (gone.contains(since)) {
            answer(ex, 410, "{\"error\":\"CHANGES_GONE\",\"message\":\"older than the tombstone retention\"}");
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        int cutsAtStart = cuts;
        try (OutputStream out = ex.getResponseBody()) {
            if (since.isEmpty()) {
                StringBuilder snapshot = new StringBuilder();
                tenants.values().stream().sorted((a, b) -> a.tenantId().compareTo(b.tenantId()))
                        .forEach(e -> snapshot.append(frame(ChangeEvent.snapshot(e))));
                snapshot.append(frame(ChangeEvent.snapshotEnd(snapshotToken)));
                out.write(snapshot.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            while (!stopped && cuts == cutsAtStart) {
                String next = frames.poll(20, TimeUnit.MILLISECONDS);
                if (next != null) {
                    out.write(next.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client went away, or the test stops the server.
        }
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        stopped = true;
        CountDownLatch hold = holdLookups;
        if (hold != null) {
            hold.countDown();
        }
        server.stop(0);
        threads.shutdownNow();
    }
}
