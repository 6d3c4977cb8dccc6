package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.protocol.ApiHeaders;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Two writers with one writer.id on the shared broker. In-process: the standby redirects writes to
 * the leader's advertised URL, reads from its tailed view, and takes over at once when the leader
 * stops cleanly. As separate JVMs, with a client writing continuously against both: the standby
 * takes over by itself when the leader is killed, and a leader paused past the session timeout can
 * never commit again once it resumes. Each prints its takeover time.
 */
class WriterStandbyIT {

    @Test
    void shouldRedirectWritesToTheLeaderAndTakeOverAtOnceWhenItStopsCleanly() throws Exception {
        String topic = SharedKafka.uniqueName("standby-handover");
        String writerId = SharedKafka.uniqueName("ha");
        int leaderPort = EmbeddedKafkaBroker.freePort();
        String advertised = "http://localhost:" + leaderPort;
        WriterApp leader = WriterApp.start(WriterConfig.from(WriterFixture.settings(topic, 3, writerId).with(Map.of(
                ConfigKeys.HTTP_PORT, Integer.toString(leaderPort), ConfigKeys.WRITER_ADVERTISED_URL, advertised))));
        try (WriterApp standby = WriterFixture.start(topic, writerId)) {
            String standbyBase = "http://127.0.0.1:" + standby.port();
            String leaderBase = "http://127.0.0.1:" + leaderPort;
            try {
                assertThat(standby.health().role()).isEqualTo("STANDBY");
                await().atMost(Duration.ofSeconds(30)).until(() -> advertised.equals(standby.health().leader()));
                assertThat(Http.get(standbyBase + "/health/ready").statusCode()).isEqualTo(503);

                HttpResponse<String> redirected = Http.putJson(standbyBase + "/tenants/moved?x=1", WriterFixture.body("pro"));
                assertThat(redirected.statusCode()).isEqualTo(307);
                assertThat(redirected.headers().firstValue("Location")).hasValue(advertised + "/tenants/moved?x=1");
                assertThat(Http.delete(standbyBase + "/tenants/moved").statusCode()).isEqualTo(307);
                assertThat(Http.putJson(leaderBase + "/tenants/moved", WriterFixture.body("pro")).statusCode()).isEqualTo(201);
                await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(standbyBase + "/tenants/moved").statusCode() == 200);
            } finally {
                long stoppedAt = System.nanoTime();
                leader.close();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> standby.health().role().equals("ACTIVE"));
                System.out.printf("writer takeover after a clean stop of the leader: %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt));
            }
            HttpResponse<String> next = Http.putJson(standbyBase + "/tenants/moved", WriterFixture.body("free"));
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(next.body()).get("version").asLong()).isEqualTo(2);
            assertThat(Http.get(standbyBase + "/health/ready").statusCode()).isEqualTo(200);
        }
        assertThat(CommittedRecords.versionsByTenant(topic)).containsExactly(Map.entry("moved", List.of(1L, 2L)));
    }

    @Test
    void shouldTakeOverByItselfAfterAKillDashNineOfTheLeaderWithNoAcknowledgedWriteLost() throws Exception {
        String topic = SharedKafka.uniqueName("standby-kill");
        try (LeaderAndStandby writers = LeaderAndStandby.start(topic)) {
            WriterProcess a = writers.leader();
            WriterProcess b = writers.standby();
            PutClient client = new PutClient(topic, List.of(a.base(), b.base()), Duration.ofSeconds(10));
            long killedAt;
            try (client) {
                await().atMost(Duration.ofSeconds(60)).until(() -> client.acksFrom(a.base()) >= 50);
                killedAt = System.nanoTime();
                a.kill();
                await().atMost(Duration.ofSeconds(60)).until(() -> client.acksFrom(b.base(), killedAt) >= 50);
            }
            long takeoverMs = TimeUnit.NANOSECONDS.toMillis(client.firstAckFrom(b.base(), killedAt) - killedAt);
            System.out.printf("writer takeover after kill -9 of the leader: %d ms (kill -> first write accepted by the standby)%n",
                    takeoverMs);
            assertThat(role(b)).isEqualTo("ACTIVE");

            Map<String, List<Long>> committed = CommittedRecords.versionsByTenant(topic);
            assertContiguousVersions(committed);
            assertThat(committedPairs(committed)).as("every acknowledged write, exactly once")
                    .containsAll(client.acknowledged());
            for (Map.Entry<String, List<Long>> e : committed.entrySet()) {
                JsonNode entry = Json.MAPPER.readTree(Http.get(b.base() + "/tenants/" + e.getKey()).body());
                assertThat(entry.get("version").asLong()).as(e.getKey()).isEqualTo(e.getValue().size());
            }
        }
    }

    @Test
    void shouldNeverLetAPausedLeaderCommitAgainOnceTheStandbyTookOver() throws Exception {
        String topic = SharedKafka.uniqueName("standby-pause");
        try (LeaderAndStandby writers = LeaderAndStandby.start(topic)) {
            WriterProcess a = writers.leader();
            WriterProcess b = writers.standby();
            // Long enough that no request of the client gives up while the leader is frozen: every write
            // the client made is then either acknowledged or refused, none in doubt.
            PutClient client = new PutClient(topic, List.of(a.base(), b.base()), Duration.ofSeconds(120));
            long resumedAt;
            try (client) {
                await().atMost(Duration.ofSeconds(60)).until(() -> client.acksFrom(a.base()) >= 50);
                long pausedAt = System.nanoTime();
                a.pause();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> role(b).equals("ACTIVE"));
                long activeAt = System.nanoTime();
                HttpResponse<String> probe = Http.putJson(b.base() + "/tenants/probe", WriterFixture.body("pro"));
                assertThat(probe.statusCode()).isEqualTo(201);
                client.record("probe", probe);
                System.out.printf("writer takeover after SIGSTOP of the leader: active in %d ms, first write accepted in %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(activeAt - pausedAt),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt));

                a.resume();
                resumedAt = System.nanoTime();
                await().atMost(Duration.ofSeconds(30)).until(() -> Set.of("STANDBY", "FENCED").contains(role(a)));
                HttpResponse<String> direct = Http.putJson(a.base() + "/tenants/direct", WriterFixture.body("pro"));
                assertThat(direct.statusCode()).as("a write sent to the resumed old leader").isIn(307, 503);
                if (direct.statusCode() == 307) {
                    assertThat(direct.headers().firstValue("Location")).hasValue(b.base() + "/tenants/direct");
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> client.acksFrom(b.base(), resumedAt) >= 50);
            }
            JsonNode oldLeader = Json.MAPPER.readTree(Http.get(a.base() + "/health").body());
            assertThat(oldLeader.get("role").asText()).isIn("STANDBY", "FENCED");
            assertThat(oldLeader.get("ready").asBoolean()).isFalse();
            assertThat(oldLeader.get("writes").get("committed").asLong())
                    .as("every commit the old leader counted is a write it acknowledged").isEqualTo(client.acksFrom(a.base()));
            // In every partition, all the old leader's commits come before the first of the new leader's:
            // once the standby had claimed the transactional id, the old leader committed nothing more.
            Map<Integer, Long> lastOfOld = client.lastOffsetByPartition(a.base());
            Map<Integer, Long> firstOfNew = client.firstOffsetByPartition(b.base());
            assertThat(firstOfNew).isNotEmpty();
            firstOfNew.forEach((partition, first) -> assertThat(lastOfOld.getOrDefault(partition, -1L))
                    .as("partition %d", partition).isLessThan(first));

            Map<String, List<Long>> committed = CommittedRecords.versionsByTenant(topic);
            assertContiguousVersions(committed);
            assertThat(committedPairs(committed)).as("exactly the acknowledged writes, nothing else")
                    .containsExactlyInAnyOrderElementsOf(new HashSet<>(client.acknowledged()));
        }
    }

    /** Two writer JVMs with one writer.id: {@code leader} active, {@code standby} caught up behind it. */
    private record LeaderAndStandby(WriterProcess leader, WriterProcess standby) implements AutoCloseable {
        static LeaderAndStandby start(String topic) throws Exception {
            String writerId = SharedKafka.uniqueName("ha");
            Settings settings = WriterFixture.settings(topic, 3, writerId);
            WriterProcess leader = WriterProcess.start(writerId + "-a", settings);
            try {
                awaitRole(leader, "ACTIVE");
                WriterProcess standby = WriterProcess.start(writerId + "-b", settings);
                try {
                    awaitStandbyOf(standby, leader);
                    return new LeaderAndStandby(leader, standby);
                } catch (RuntimeException | Error e) {
                    standby.close();
                    throw e;
                }
            } catch (Exception | Error e) {
                leader.close();
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            try (leader) {
                standby.close();
            }
        }
    }

    private static void awaitRole(WriterProcess writer, String role) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> role(writer).equals(role));
    }

    private static void awaitStandbyOf(WriterProcess standby, WriterProcess leader) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            JsonNode health = Json.MAPPER.readTree(Http.get(standby.base() + "/health").body());
            return health.get("role").asText().equals("STANDBY") && health.path("leader").asText().equals(leader.base());
        });
    }

    private static String role(WriterProcess writer) throws Exception {
        return Json.MAPPER.readTree(Http.get(writer.base() + "/health").body()).get("role").asText();
    }

    private static void assertContiguousVersions(Map<String, List<Long>> committed) {
        assertThat(committed).isNotEmpty();
        committed.forEach((tenant, versions) -> assertThat(versions).as("versions of %s, in log order", tenant)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, versions.size()).boxed().toList()));
    }

    private static Set<String> committedPairs(Map<String, List<Long>> committed) {
        return committed.entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(v -> e.getKey() + "@" + v))
                .collect(Collectors.toSet());
    }

    /**
     * Two workers, each with its own tenants (so each tenant's writes are sequential), each sending
     * every write to the next writer URL in turn and following redirects, as a client behind a
     * naive load balancer would. Remembers every acknowledged write and which writer answered it.
     */
    private static final class PutClient implements AutoCloseable {
        private static final int WORKERS = 2;
        private static final int TENANTS_PER_WORKER = 7;

        private record Ack(String tenant, long version, String servedBy, long atNanos, int partition, long offset) {
        }

        private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(2)).build();
        private final String topic;
        private final List<String> urls;
        private final Duration timeout;
        private final long startedAt = System.nanoTime();
        private final List<Ack> acks = new CopyOnWriteArrayList<>();
        private final ScheduledExecutorService workers = Executors.newScheduledThreadPool(WORKERS);

        PutClient(String topic, List<String> urls, Duration timeout) {
            this.topic = topic;
            this.urls = urls;
            this.timeout = timeout;
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                AtomicLong sent = new AtomicLong();
                // A short pause between writes keeps two cores for the writers rather than for connection refusals.
                workers.scheduleWithFixedDelay(() -> putOnce(worker, sent.getAndIncrement()), 0, 5, TimeUnit.MILLISECONDS);
            }
        }

        private void putOnce(int worker, long n) {
            String tenant = "w" + worker + "-t" + n % TENANTS_PER_WORKER;
            String url = urls.get((int) (n % urls.size())) + "/tenants/" + tenant;
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(WriterFixture.body("pro"))).build();
            try {
                record(tenant, http.send(request, HttpResponse.BodyHandlers.ofString()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception notAcknowledged) {
                // Connection refused (a killed writer) or a timeout: not acknowledged, and never retried.
            }
        }

        /** Remembers the write if {@code r} acknowledged it. */
        void record(String tenant, HttpResponse<String> r) throws Exception {
            if (r.statusCode() == 200 || r.statusCode() == 201) {
                URI served = r.uri();
                ConsistencyToken token = ConsistencyToken.decode(r.headers().firstValue(ApiHeaders.CONSISTENCY_TOKEN).orElseThrow(), topic, 3);
                Map.Entry<Integer, Long> at = token.offsets().firstEntry();
                acks.add(new Ack(tenant, Json.MAPPER.readTree(r.body()).get("version").asLong(),
                        served.getScheme() + "://" + served.getAuthority(), System.nanoTime(), at.getKey(), at.getValue()));
            }
        }

        long acksFrom(String base) {
            return acksFrom(base, startedAt - 1);
        }

        long acksFrom(String base, long sinceNanos) {
            return acks.stream().filter(a -> a.servedBy.equals(base) && a.atNanos - sinceNanos > 0).count();
        }

        long firstAckFrom(String base, long sinceNanos) {
            return acks.stream().filter(a -> a.servedBy.equals(base) && a.atNanos - sinceNanos > 0)
                    .mapToLong(Ack::atNanos).min().orElseThrow();
        }

        Map<Integer, Long> lastOffsetByPartition(String base) {
            return acks.stream().filter(a -> a.servedBy.equals(base))
                    .collect(Collectors.toMap(Ack::partition, Ack::offset, Math::max));
        }

        Map<Integer, Long> firstOffsetByPartition(String base) {
            return acks.stream().filter(a -> a.servedBy.equals(base))
                    .collect(Collectors.toMap(Ack::partition, Ack::offset, Math::min));
        }

        /** tenant@version of every acknowledged write. */
        List<String> acknowledged() {
            return acks.stream().map(a -> a.tenant + "@" + a.version).toList();
        }

        /** Stops writing; a write in flight is answered (or times out) first, so none is left in doubt. */
        @Override
        public void close() throws InterruptedException {
            workers.shutdown();
            assertThat(workers.awaitTermination(timeout.toSeconds() + 10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
