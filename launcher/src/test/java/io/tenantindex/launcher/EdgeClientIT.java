package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.client.EmbeddedReplica;
import io.tenantindex.client.LookupClient;
import io.tenantindex.common.Json;
import io.tenantindex.common.api.TenantPage;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.lookup.ColoConfig;
import io.tenantindex.lookup.ColoServer;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.protocol.TenantEntry;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * tenant-index-client against the local stack on the shared real broker, over real HTTP: the
 * embedded replica follows a colo of its own (EDG, stopped and restarted on its port by the test)
 * through 10,000 changes to exactly the writer's listing, keeps answering while that colo is away
 * and catches up after its restart without a new snapshot, and a restarted router serves from its
 * snapshot file at once; the lookup client fails over past a dead colo and reads its own writes;
 * {@code watch} prints a write.
 */
class EdgeClientIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static LocalStack stack;
    private static Settings settings;
    private static String writer;
    private static String ord;
    private static int edgePort;
    private static ColoServer edge;

    @BeforeAll
    static void start() throws IOException {
        String prefix = SharedKafka.uniqueName("edge");
        settings = TestStacks.settings(prefix, "ORD:0").with(ConfigKeys.INDEX_PARTITIONS, "4");
        stack = TestStacks.start(settings);
        writer = stack.writerUrl();
        ord = stack.coloUrls().get("ORD");
        edgePort = freePort();
        edge = startEdge();
        await().atMost(TIMEOUT).until(() -> stack.colos().get("ORD").isReady() && edge.isReady());
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
        stack.close();
    }

    /** Colo EDG on its own port and state dir: restarted there, it is the same colo warm. */
    private static ColoServer startEdge() {
        return ColoServer.start(ColoConfig.from(settings.with(Map.of(
                ConfigKeys.COLO, "EDG",
                ConfigKeys.HTTP_HOST, "127.0.0.1",
                ConfigKeys.HTTP_PORT, Integer.toString(edgePort),
                ConfigKeys.REGISTRY_URL, stack.urls().get("registry"),
                ConfigKeys.STATE_DIR, settings.string(ConfigKeys.DATA_DIR, null) + "/edg",
                ConfigKeys.AUTH_DISABLED, "true"))), UsageRecorder.NONE);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String writerToken() {
        return stack.credentials().orElseThrow().writerToken();
    }

    private static String adminToken() {
        return stack.credentials().orElseThrow().adminToken();
    }

    /** Registers (or updates) {@code ids} in one import, tier {@code tier}. */
    private static void importTenants(List<String> ids, String tier) {
        String ndjson = ids.stream().map(id -> "{\"tenantId\":\"" + id + "\",\"metadata\":{\"tier\":\"" + tier + "\"}}")
                .collect(Collectors.joining("\n"));
        HttpResponse<String> r = Http.send(Http.builder(writer + "/tenants:import", "Content-Type", "application/x-ndjson",
                "Authorization", "Bearer " + adminToken()).POST(HttpRequest.BodyPublishers.ofString(ndjson)).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static void deleteTenants(List<String> ids) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> answers = ids.stream()
                    .map(id -> pool.submit(() -> Http.delete(writer + "/tenants/" + id, "Authorization", "Bearer " + writerToken())))
                    .toList();
            for (Future<HttpResponse<String>> a : answers) {
                assertThat(a.get().statusCode()).isEqualTo(204);
            }
        } finally {
            pool.shutdown();
        }
    }

    /** The writer's whole view, page by page ({@code GET /tenants}), of the tenants with {@code prefix}. */
    private static Map<String, TenantEntry> writerListing(String prefix) throws IOException {
        Map<String, TenantEntry> all = new HashMap<>();
        String after = null;
        do {
            HttpResponse<String> r = Http.get(writer + "/tenants?limit=1000" + (after == null ? "" : "&after=" + after));
            TenantPage page = Json.readAnswer(r.body(), TenantPage.class);
            page.items().stream().filter(e -> e.tenantId().startsWith(prefix)).forEach(e -> all.put(e.tenantId(), e));
            after = page.nextCursor();
        } while (after != null);
        return all;
    }

    private static Map<String, TenantEntry> ours(EmbeddedReplica replica, String prefix) {
        return replica.asMap().values().stream().filter(e -> e.tenantId().startsWith(prefix))
                .collect(Collectors.toMap(TenantEntry::tenantId, e -> e));
    }

    private static List<String> ids(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> prefix + "-" + i).toList();
    }

    @Test
    void shouldConvergeAfter10000ChangesAnswerWhileItsColoIsStoppedAndCatchUpAfterItsRestartWithoutASnapshot() throws Exception {
        String prefix = SharedKafka.uniqueName("r");
        importTenants(ids(prefix, 0, 2_000), "free");
        AtomicLong heard = new AtomicLong();
        try (EmbeddedReplica replica = EmbeddedReplica.builder().colos(List.of("http://127.0.0.1:" + edgePort))
                .listener(c -> heard.incrementAndGet()).maxBackoff(Duration.ofMillis(200)).start()) {
            assertThat(replica.awaitReady(TIMEOUT)).isTrue();

            // 10,000 changes: 6,000 registrations, 3,700 updates, 300 deletes.
            importTenants(ids(prefix, 2_000, 8_000), "free");
            importTenants(ids(prefix, 0, 3_700), "pro");
            deleteTenants(ids(prefix, 7_700, 8_000));
            Map<String, TenantEntry> expected = writerListing(prefix);
            assertThat(expected).hasSize(7_700);
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(ours(replica, prefix)).isEqualTo(expected));
            assertThat(replica.staleness()).isZero();

            edge.close();
            edge = null;
            await().atMost(TIMEOUT).until(() -> replica.staleness().toMillis() > 500);
            Duration earlier = replica.staleness();
            await().atMost(TIMEOUT).until(() -> replica.staleness().compareTo(earlier) > 0);
            assertThat(replica.get(prefix + "-0").map(TenantEntry::version)).contains(2L);
            assertThat(ours(replica, prefix)).isEqualTo(expected);

            // Changes while it is away; it catches up with them from its token once the colo is back.
            importTenants(ids(prefix, 0, 500), "enterprise");
            deleteTenants(ids(prefix, 500, 520));
            Map<String, TenantEntry> later = writerListing(prefix);
            edge = startEdge();
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(ours(replica, prefix)).isEqualTo(later));
            assertThat(replica.snapshots()).isEqualTo(1);
            assertThat(replica.staleness()).isZero();
            assertThat(heard.get()).isGreaterThanOrEqualTo(2_000 + 10_000 + 520);
        }
    }

    @Test
    void shouldServeFromItsSnapshotFileAtOnceAfterARouterRestartAndResumeFromTheFilesToken() throws Exception {
        String prefix = SharedKafka.uniqueName("f");
        Path file = SharedKafka.tempDir("edge-file").resolve("replica.json");
        importTenants(ids(prefix, 0, 500), "free");
        EmbeddedReplica.Builder router = EmbeddedReplica.builder().colos(List.of("http://127.0.0.1:" + edgePort))
                .snapshotFile(file, Duration.ofMinutes(10)).maxBackoff(Duration.ofMillis(200));
        Map<String, TenantEntry> before = writerListing(prefix);
        try (EmbeddedReplica first = router.start()) {
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(ours(first, prefix)).isEqualTo(before));
        }
        importTenants(ids(prefix, 0, 100), "pro");
        deleteTenants(ids(prefix, 100, 110));
        Map<String, TenantEntry> after = writerListing(prefix);

        try (EmbeddedReplica restarted = router.start()) {
            // Written on close, loaded at start: it answers before any colo was asked.
            assertThat(restarted.isReady()).isTrue();
            assertThat(ours(restarted, prefix)).isEqualTo(before);
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(ours(restarted, prefix)).isEqualTo(after));
            assertThat(restarted.snapshots()).isZero();
        }
    }

    @Test
    void shouldFailOverPastADeadColoAndReadItsOwnWritesThroughItsSessionToken() throws Exception {
        String id = SharedKafka.uniqueName("ryw");
        LookupClient client = LookupClient.builder().colos(List.of("http://127.0.0.1:" + freePort(), ord)).writer(writer)
                .bearerToken(writerToken()).requestTimeout(Duration.ofSeconds(15)).build();
        TenantEntry.Metadata pro = new TenantEntry.Metadata("pro", List.of("ws"), 10, "us");
        for (int version = 1; version <= 5; version++) {
            assertThat(client.put(id, "SJC", pro).version()).isEqualTo(version);
            // No wait: the colo answers the session's lookup once it has applied the write.
            assertThat(client.lookup(id).map(TenantEntry::version)).contains((long) version);
        }
        client.delete(id);
        assertThat(client.lookup(id)).isEmpty();
        assertThat(client.sessionToken()).isPresent();
    }

    @Test
    void shouldPrintAWriteAsItHappensInAColoAndAtTheWriter() throws Exception {
        String id = SharedKafka.uniqueName("watched");
        URI colo = URI.create(ord);
        StringWriter coloOut = new StringWriter();
        StringWriter writerOut = new StringWriter();
        List<Thread> watches = List.of(
                watch(coloOut, "watch", "--colo", "ORD", "--colos", "ORD:" + colo.getPort(), "--colo-host", colo.getHost()),
                watch(writerOut, "watch", "--colo", "writer", "--writer-url", writer));
        try {
            await().atMost(TIMEOUT).until(() -> coloOut.toString().contains("snapshot of ") && writerOut.toString().contains("snapshot of "));
            LookupClient.builder().colos(List.of(ord)).writer(writer).bearerToken(writerToken()).build()
                    .put(id, null, new TenantEntry.Metadata("free", List.of(), null, null));
            await().atMost(TIMEOUT).until(() -> coloOut.toString().contains(" upsert " + id + " v1 token ")
                    && writerOut.toString().contains(" upsert " + id + " v1 token "));
        } finally {
            for (Thread watch : watches) {
                watch.interrupt();
                watch.join(TIMEOUT.toMillis());
                assertThat(watch.isAlive()).isFalse();
            }
        }
    }

    /** {@code ./tenant-index <args>} on a thread of its own, printing to {@code out}; interrupting it ends the command. */
    private static Thread watch(StringWriter out, String... args) {
        Thread t = new Thread(() -> new CommandLine(new TenantIndexCli()).setOut(new PrintWriter(out, true)).execute(args), "watch-cli");
        t.start();
        return t;
    }

}
