package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.protocol.ApiHeaders;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * A colo never answers a tokened lookup with an older version than the token's write (it waits or
 * answers 503), and never answers a lookup from a store behind what it already answered without
 * {@code X-Replica-Stale: true}: while its store is wiped and restored, while exactly-once rolls
 * back what it had processed (its Streams producer fenced mid-backlog: every task closed dirty,
 * wiped and restored to the committed offsets), and while a partition is revoked and comes back.
 * Lookups run continuously through each; every answer is classified, and each test also checks
 * that it really hit the window it is about, so that it can fail.
 */
class ReadsNeverGoBackIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int TENANTS = 1000;

    @Test
    void shouldNeverAnswerOlderThanATokenWhileTheStoreIsWipedAndRestored() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            Map<String, Written> latest = writeVersions(kafka, "wipe-", 5);
            Path state = SharedKafka.tempDir("nogoback-wipe-");
            ColoServer colo = kafka.startColo("ORD", state);
            try (Probe probe = new Probe(latest)) {
                probe.start("http://127.0.0.1:" + colo.port());
                await().atMost(TIMEOUT).until(colo::isReady);
                await().atMost(TIMEOUT).until(() -> probe.exact.sum() > 500);

                probe.pause();
                colo.close();
                ColoFixture.deleteRecursively(state);
                colo = kafka.startColo("ORD", state);
                // From the moment the port answers.
                probe.start("http://127.0.0.1:" + colo.port());
                long before = probe.exact.sum();
                await().atMost(TIMEOUT).until(colo::isReady);
                await().atMost(TIMEOUT).until(() -> probe.exact.sum() > before + 500);
                probe.pause();

                probe.assertNeverWentBack();
                assertThat(colo.replica().stats().restoredRecords()).as("restored from scratch").isGreaterThanOrEqualTo(TENANTS);
                assertThat(probe.unavailable.sum()).as("503s while the wiped store restored").isPositive();
            } finally {
                colo.close();
            }
        }
    }

    @Test
    void shouldNeverAnswerOlderThanATokenWhenExactlyOnceRollsBackWhatTheColoHadApplied() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            Path state = SharedKafka.tempDir("nogoback-fence-");
            Map<String, Written> first = writeVersions(kafka, "fence-", 1);
            ColoServer colo = kafka.startColo("ORD", state);
            await().atMost(TIMEOUT).until(colo::isReady);
            colo.close();
            // A backlog the colo processes record by record (its group has committed offsets: no bulk restore).
            int rounds = 20;
            List<Map<String, Written>> byRound = new ArrayList<>(List.of(first));
            for (int v = 2; v <= rounds; v++) {
                byRound.add(writeRound(kafka, "fence-", v));
            }
            Map<String, Written> latest = byRound.get(rounds - 1);

            colo = kafka.startColo("ORD", state);
            String appId = colo.replica().applicationId();
            try (Probe probe = new Probe(latest, 2, 3); Admin admin = Admin.create(KafkaSettings.of(kafka.bootstrap).clientProperties())) {
                probe.start("http://127.0.0.1:" + colo.port());
                ColoServer running = colo;
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(5))
                        .until(() -> running.replica().stats().reReadRecords() > TENANTS * rounds / 4);
                Map<Integer, Long> applied = new HashMap<>(running.replica().stats().position());
                try (Fence fence = new Fence(admin, appId, kafka)) {
                    fence.fence();
                    // What it had applied at the fence (it goes on until its next commit fails).
                    running.replica().stats().position().forEach((p, offset) -> applied.merge(p, offset, Math::max));
                }
                Map<Integer, Long> committed = new HashMap<>();
                admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get()
                        .forEach((tp, o) -> committed.put(tp.partition(), o.offset()));
                // Applied when the colo was fenced but not committed: exactly-once rolls them back, the
                // colo restores up to the committed offsets and applies them again.
                Map<String, Written> rolledBack = newestBetween(byRound, committed, applied);
                assertThat(rolledBack).as("versions applied but not committed when the colo was fenced").isNotEmpty();
                probe.tokensOf(rolledBack);
                await().atMost(TIMEOUT).until(() -> running.replica().stats().restoredRecords() > 0);
                await().atMost(TIMEOUT).until(colo::isReady);
                await().atMost(TIMEOUT).until(() -> caughtUp(running.replica().stats().position(), latest));
                long before = probe.exact.sum();
                await().atMost(TIMEOUT).until(() -> probe.exact.sum() > before + 500);
                probe.pause();

                probe.assertNeverWentBack();
                assertThat(probe.unavailable.sum()).as("503s while the fenced colo restored").isPositive();
            } finally {
                colo.close();
            }
        }
    }

    @Test
    void shouldNeverAnswerOlderThanATokenWhileAPartitionIsRevokedAndComesBack() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            Map<String, Written> latest = writeVersions(kafka, "revoke-", 3);
            ColoServer colo = kafka.startColo("ORD", SharedKafka.tempDir("nogoback-revoke-"));
            KafkaStreams intruder = null;
            try (Probe probe = new Probe(latest)) {
                await().atMost(TIMEOUT).until(colo::isReady);
                probe.start("http://127.0.0.1:" + colo.port());
                intruder = kafka.secondMember(colo.replica().applicationId());
                KafkaStreams other = intruder;
                await().atMost(TIMEOUT).until(() -> !ColoFixture.heldBy(other).isEmpty());

                // Written while the other member holds some partitions: this colo applies them only once they are back.
                Map<String, Written> newer = writeRound(kafka, "revoke-", 4);
                probe.tokensOf(newer);
                await().atMost(TIMEOUT).until(() -> probe.unavailable.sum() > 0);
                intruder.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(30)));
                intruder = null;
                await().atMost(TIMEOUT).until(colo::isReady);
                long before = probe.exact.sum();
                await().atMost(TIMEOUT).until(() -> probe.exact.sum() > before + 500);
                probe.pause();

                probe.assertNeverWentBack();
                for (Written w : newer.values()) {
                    HttpResponse<String> r = Http.get("http://127.0.0.1:" + colo.port() + "/tenants/" + w.tenantId(),
                            ApiHeaders.CONSISTENCY_TOKEN, w.token().encode());
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(Json.MAPPER.readTree(r.body()).path("version").asLong()).isEqualTo(w.version());
                }
            } finally {
                if (intruder != null) {
                    intruder.close(Duration.ofSeconds(10));
                }
                colo.close();
            }
        }
    }

    /** One written version of a tenant and its token (which names that one write: its partition and offset). */
    record Written(String tenantId, long version, ConsistencyToken token) {
        int partition() {
            return token.offsets().firstKey();
        }

        long offset() {
            return token.offsets().firstEntry().getValue();
        }
    }

    private static Map<String, Written> writeVersions(ColoFixture kafka, String prefix, int versions) {
        Map<String, Written> latest = Map.of();
        for (int v = 1; v <= versions; v++) {
            latest = writeRound(kafka, prefix, v);
        }
        return latest;
    }

    /** Version {@code version} of every tenant, in one transaction. */
    private static Map<String, Written> writeRound(ColoFixture kafka, String prefix, long version) {
        List<TenantRegistration> regs = IntStream.range(0, TENANTS).mapToObj(i -> registration(prefix + i, version)).toList();
        List<ConsistencyToken> tokens = kafka.write(regs);
        Map<String, Written> out = new HashMap<>();
        for (int i = 0; i < regs.size(); i++) {
            out.put(regs.get(i).getTenantId(), new Written(regs.get(i).getTenantId(), version, tokens.get(i)));
        }
        return out;
    }

    /** Per tenant, the newest version whose record lies in [{@code from}, {@code to}] of its partition. */
    private static Map<String, Written> newestBetween(List<Map<String, Written>> byRound, Map<Integer, Long> from,
                                                      Map<Integer, Long> to) {
        Map<String, Written> out = new HashMap<>();
        for (Map<String, Written> round : byRound) {
            round.values().forEach(w -> {
                long offset = w.offset();
                int p = w.partition();
                if (offset >= from.getOrDefault(p, 0L) && offset <= to.getOrDefault(p, -1L)) {
                    out.put(w.tenantId(), w);
                }
            });
        }
        return out;
    }

    private static boolean caughtUp(Map<Integer, Long> position, Map<String, Written> latest) {
        return latest.values().stream().allMatch(w -> position.getOrDefault(w.partition(), -1L) >= w.offset());
    }

    /**
     * Fences the colo's Streams producer, as a zombie's successor would: a producer with its
     * transactional id initialises, so the colo's open transaction is aborted and its next commit
     * fails; Streams closes every task dirty (under exactly-once: wipes it) and restores it. The
     * producers are made beforehand so that {@link #fence()} is only the initialisation.
     */
    private static final class Fence implements AutoCloseable {
        private final List<KafkaProducer<byte[], byte[]>> successors = new ArrayList<>();

        Fence(Admin admin, String applicationId, ColoFixture kafka) throws Exception {
            List<String> ids = admin.listTransactions().all().get().stream().map(TransactionListing::transactionalId)
                    .filter(id -> id.startsWith(applicationId + "-")).toList();
            assertThat(ids).as("the colo's transactional ids").isNotEmpty();
            for (String id : ids) {
                Properties props = KafkaSettings.of(kafka.bootstrap).clientProperties();
                props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
                successors.add(new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()));
            }
        }

        void fence() {
            successors.forEach(KafkaProducer::initTransactions);
        }

        @Override
        public void close() {
            successors.forEach(KafkaProducer::close);
        }
    }

    /**
     * Lookups on a few threads: tokened ones (a random tenant with the token of its expected version)
     * and plain ones. Classifies every answer: exact (the token's version or newer), older (the
     * violation: an older version, or 404 for a tenant that exists), 503, or anything else; and
     * counts plain or tokened answers older than one this colo had already answered, for the same
     * tenant, before the request was sent, unless marked {@code X-Replica-Stale: true}.
     */
    private static final class Probe implements AutoCloseable {
        final LongAdder exact = new LongAdder();
        final LongAdder unavailable = new LongAdder();
        final LongAdder markedStale = new LongAdder();
        final LongAdder plain = new LongAdder();
        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        private final Map<String, Long> served = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final int tokenedThreads;
        private final int plainThreads;
        private volatile List<Written> expected;

        Probe(Map<String, Written> expected) {
            this(expected, 1, 1);
        }

        Probe(Map<String, Written> expected, int tokenedThreads, int plainThreads) {
            this.tokenedThreads = tokenedThreads;
            this.plainThreads = plainThreads;
            tokensOf(expected);
        }

        void tokensOf(Map<String, Written> next) {
            expected = List.copyOf(next.values());
        }

        void start(String base) {
            running.set(true);
            for (int i = 0; i < tokenedThreads + plainThreads; i++) {
                boolean tokened = i < tokenedThreads;
                Thread t = new Thread(() -> loop(base, tokened), (tokened ? "probe-tokened-" : "probe-plain-") + i);
                t.start();
                threads.add(t);
            }
        }

        void pause() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
            threads.clear();
        }

        private void loop(String base, boolean tokened) {
            while (running.get()) {
                List<Written> all = expected;
                Written w = all.get(ThreadLocalRandom.current().nextInt(all.size()));
                long servedBefore = served.getOrDefault(w.tenantId(), 0L);
                HttpResponse<String> r;
                try {
                    r = tokened ? Http.get(base + "/tenants/" + w.tenantId(), ApiHeaders.CONSISTENCY_TOKEN, w.token().encode())
                            : Http.get(base + "/tenants/" + w.tenantId());
                } catch (RuntimeException portClosed) {
                    continue;
                }
                classify(w, tokened, servedBefore, r);
            }
        }

        private void classify(Written w, boolean tokened, long servedBefore, HttpResponse<String> r) {
            boolean stale = r.headers().firstValue(ApiHeaders.REPLICA_STALE).map("true"::equals).orElse(false);
            if (r.statusCode() == 503) {
                unavailable.increment();
                return;
            }
            long version;
            if (r.statusCode() == 200) {
                try {
                    JsonNode body = Json.MAPPER.readTree(r.body());
                    version = body.path("version").asLong();
                } catch (Exception e) {
                    violations.add(w.tenantId() + ": unreadable body " + r.body());
                    return;
                }
            } else if (r.statusCode() == 404) {
                version = 0;
            } else {
                violations.add(w.tenantId() + ": status " + r.statusCode() + " " + r.body());
                return;
            }
            if (stale) {
                markedStale.increment();
            } else if (version < servedBefore) {
                violations.add(w.tenantId() + ": " + (tokened ? "tokened" : "plain") + " answer v" + version
                        + " after this colo had answered v" + servedBefore + ", not marked stale");
            }
            if (tokened && version < w.version()) {
                violations.add(w.tenantId() + ": token of v" + w.version() + " (" + w.token() + ") answered with v" + version);
            } else if (tokened) {
                exact.increment();
            } else {
                plain.increment();
            }
            served.merge(w.tenantId(), version, Math::max);
        }

        void assertNeverWentBack() {
            System.out.printf("probe: %d tokened answers at the token's version or newer, %d plain, %d marked stale, "
                    + "%d 503s, %d violations%n", exact.sum(), plain.sum(), markedStale.sum(), unavailable.sum(), violations.size());
            assertThat(violations).as("answers older than the token's write or than what was already answered").isEmpty();
            assertThat(exact.sum()).isPositive();
        }

        @Override
        public void close() throws InterruptedException {
            pause();
        }
    }
}
