package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.common.Json;
import io.tenantindex.common.api.ReplicaList;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.lookup.ColoConfig;
import io.tenantindex.lookup.ColoServer;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code ./tenant-index replicas prune} on a real broker with three instances of one colo: one live,
 * one stopped (it left its group) longer ago than the bound, one stopped just now after being idle
 * for longer than the bound. Only the old one's group is deleted, and the live one keeps answering.
 * The bound is a few seconds, so "long ago" is real time that passed, not a faked clock.
 */
class ReplicasPruneIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    // Long enough that the few admin round trips between stopping "recent" and pruning never add up to it on a loaded machine.
    private static final long BOUND_MS = 10_000;
    /** A colo code of this test's own: other tests' stopped colos on the shared broker are not this test's to prune. */
    private static final String COLO = "PR" + ThreadLocalRandom.current().nextInt(1_000, 10_000);
    private static Settings settings;
    private static LocalStack stack;

    @BeforeAll
    static void start() {
        String prefix = SharedKafka.uniqueName("prune");
        settings = TestStacks.settings(prefix, COLO + ":0").with(ConfigKeys.INSTANCE_ID, "live");
        stack = TestStacks.start(settings);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void shouldDeleteOnlyTheGroupOfTheInstanceNotSeenWithinTheBound() throws Exception {
        String ndjson = IntStream.range(0, 30).mapToObj(i -> String.format("{\"tenantId\":\"p%02d\",\"metadata\":{\"tier\":\"free\"}}", i))
                .collect(Collectors.joining("\n"));
        assertThat(Http.send(Http.builder(stack.writerUrl() + "/tenants:import", "Content-Type", "application/x-ndjson",
                "Authorization", "Bearer " + adminToken()).POST(HttpRequest.BodyPublishers.ofString(ndjson)).build()).statusCode())
                .isEqualTo(200);
        String liveUrl = stack.coloUrls().get(COLO);
        await().atMost(TIMEOUT).until(() -> Http.get(liveUrl + "/tenants/p29").statusCode() == 200);

        ColoServer old = startInstance("old");
        ColoServer recent = startInstance("recent");
        await().atMost(TIMEOUT).until(() -> old.isReady() && recent.isReady());
        await().atMost(TIMEOUT).until(() -> Http.get("http://127.0.0.1:" + recent.port() + "/tenants/p29").statusCode() == 200);
        old.close();
        // Real time passes: the old instance is gone for longer than the bound, the other two stay idle as long.
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
            ReplicaList.Replica r = replica(group("old"));
            return r != null && !r.live() && r.lastSeen() != null && System.currentTimeMillis() - r.lastSeen() > BOUND_MS;
        });
        // Stopped now, after more than the bound without a commit: its leaving is what counts as last seen.
        recent.close();
        await().atMost(TIMEOUT).until(() -> {
            ReplicaList.Replica r = replica(group("recent"));
            return r != null && !r.live();
        });
        assertThat(replica(group("live")).live()).isTrue();

        Run unauthorized = cli("replicas", "prune", "--older-than", BOUND_MS / 1000 + "s", "--colo", COLO, "--auth-token", "not-the-admin-token-at-all");
        assertThat(unauthorized.exitCode).as("a wrong token is refused").isEqualTo(TenantIndexCli.REJECTED);
        Run dry = prune("--dry-run");
        assertThat(dry.exitCode).as(dry.out).isZero();
        assertThat(dry.out).contains("would delete").containsPattern("would delete +" + COLO + " +old ")
                .containsPattern("kept +" + COLO + " +live .*live: 1 member").containsPattern("kept +" + COLO + " +recent .*seen \\d+ s ago")
                .contains("would delete 1 group(s), kept 2");
        assertThat(coloGroups()).as("a dry run deletes nothing").containsExactlyInAnyOrder(group("live"), group("old"), group("recent"));

        Run real = prune();
        assertThat(real.exitCode).as(real.out).isZero();
        assertThat(real.out).containsPattern("deleted +" + COLO + " +old ").contains("deleted 1 group(s), kept 2");
        assertThat(coloGroups()).containsExactlyInAnyOrder(group("live"), group("recent"));

        // The live instance never noticed.
        assertThat(stack.colos().get(COLO).isReady()).isTrue();
        for (int i = 0; i < 30; i++) {
            assertThat(Http.get(liveUrl + String.format("/tenants/p%02d", i)).statusCode()).isEqualTo(200);
        }
        Run list = cli("replicas", "list", "--writer-url", stack.writerUrl());
        assertThat(list.out).containsPattern(COLO + " +live +live ").containsPattern(COLO + " +recent +gone ").doesNotContain(" old ");
    }

    private static Run prune(String... extra) {
        List<String> args = new ArrayList<>(List.of("replicas", "prune", "--older-than", BOUND_MS / 1000 + "s", "--colo", COLO,
                "--auth-token", adminToken()));
        args.addAll(List.of(extra));
        return cli(args.toArray(String[]::new));
    }

    private static Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--writer-url")) {
            all.addAll(List.of("--writer-url", stack.writerUrl()));
        }
        StringWriter out = new StringWriter();
        int code = new CommandLine(new TenantIndexCli()).setOut(new PrintWriter(out, true)).execute(all.toArray(String[]::new));
        return new Run(code, out.toString());
    }

    private record Run(int exitCode, String out) {
    }

    private static String adminToken() {
        return stack.credentials().orElseThrow().adminToken();
    }

    private static ColoServer startInstance(String instance) {
        Settings s = settings.with(Map.of(
                ConfigKeys.INSTANCE_ID, instance,
                ConfigKeys.COLO, COLO,
                ConfigKeys.HTTP_PORT, "0",
                ConfigKeys.REGISTRY_URL, stack.urls().get("registry"),
                ConfigKeys.STATE_DIR, SharedKafka.tempDir("prune-" + instance).toString(),
                ConfigKeys.AUTH_DISABLED, "true"));
        return ColoServer.start(ColoConfig.from(s), UsageRecorder.NONE);
    }

    private static String group(String instance) {
        return "tenant-index-colo-" + COLO + "-" + instance;
    }

    private static ReplicaList.Replica replica(String applicationId) throws Exception {
        ReplicaList list = Json.readAnswer(Http.get(stack.writerUrl() + "/replicas").body(), ReplicaList.class);
        return list.replicas().stream().filter(r -> r.applicationId().equals(applicationId)).findFirst().orElse(null);
    }

    private static Set<String> coloGroups() throws Exception {
        try (Admin admin = Admin.create(KafkaSettings.of(stack.bootstrapServers()).clientProperties())) {
            return admin.listGroups().all().get(10, TimeUnit.SECONDS).stream().map(GroupListing::groupId)
                    .filter(id -> id.startsWith("tenant-index-colo-" + COLO + "-")).collect(Collectors.toSet());
        }
    }
}
