package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.colo.MaterializerConfig;
import io.tenantindex.common.IndexDigest;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigException;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A colo survives what happens to real processes and disks: kill -9 in the middle of a rebuild, a
 * corrupted RocksDB store, a state directory that cannot be created.
 */
class ColoCrashRecoveryIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void shouldComeBackAndConvergeToTheWrittenDigestAfterAKillDashNineMidRebuild() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            int tenants = 60_000;
            IndexDigest expected = new IndexDigest(ColoFixture.PARTITIONS);
            for (int from = 0; from < tenants; from += 20_000) {
                List<TenantRegistration> chunk = IntStream.range(from, from + 20_000)
                        .mapToObj(i -> registration("k9-" + i, 1 + i % 3)).toList();
                List<ConsistencyToken> tokens = kafka.write(chunk);
                kafka.addWritten(expected, chunk, tokens);
            }
            Path state = SharedKafka.tempDir("colo-k9-");
            int port = EmbeddedKafkaBroker.freePort();
            String base = "http://127.0.0.1:" + port;
            String appId = MaterializerConfig.from(kafka.coloSettings("ORD", state)).applicationId();

            Process colo = kafka.startProcess("ORD", state, port, "first");
            try {
                awaitReady(base);
                assertThat(digestOf(base)).isEqualTo(expected.totalHash());

                assertThat(Http.postJson(base + "/admin/rebuild", "").statusCode()).isEqualTo(202);
                JsonNode running = await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(10))
                        .until(() -> Json.MAPPER.readTree(Http.get(base + "/admin/rebuild").body()),
                                r -> r.path("recordsApplied").asLong() > 0);
                assertThat(running.path("state").asText()).isEqualTo("running");
                assertThat(running.path("recordsApplied").asLong()).isLessThan(tenants);
                assertThat(state.resolve(appId + "-g1")).isDirectory();
            } finally {
                colo.destroyForcibly().waitFor();
            }

            colo = kafka.startProcess("ORD", state, port, "restarted");
            try {
                // Back on generation 0 (its state survived), serving what the writer wrote.
                awaitReady(base);
                assertThat(digestOf(base)).isEqualTo(expected.totalHash());
                assertThat(state.resolve(appId + "-g1")).doesNotExist();

                // The interrupted rebuild was started again from scratch under a fresh generation and switched.
                await().atMost(TIMEOUT).until(() -> Json.MAPPER.readTree(Http.get(base + "/stats").body())
                        .path("generation").asLong() == 2);
                assertThat(digestOf(base)).isEqualTo(expected.totalHash());
                JsonNode health = Json.MAPPER.readTree(Http.get(base + "/health/ready").body());
                assertThat(health.path("ready").asBoolean()).isTrue();
                await().atMost(TIMEOUT).until(() -> !Files.exists(state.resolve(appId)));
            } finally {
                colo.destroy();
                colo.waitFor(30, TimeUnit.SECONDS);
                colo.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void shouldWipeACorruptedStoreAndReplaceAnUnreadableGenerationFileAtStart() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            List<TenantRegistration> regs = IntStream.range(0, 3000).mapToObj(i -> registration("cor-" + i, 1 + i % 2)).toList();
            List<ConsistencyToken> tokens = kafka.write(regs);
            IndexDigest expected = new IndexDigest(ColoFixture.PARTITIONS);
            kafka.addWritten(expected, regs, tokens);
            Path state = SharedKafka.tempDir("colo-corrupt-");
            try (ColoServer first = kafka.startColo("ORD", state)) {
                await().atMost(TIMEOUT).until(first::isReady);
            }

            String appId = MaterializerConfig.from(kafka.coloSettings("ORD", state)).applicationId();
            List<Path> garbled = garble(state.resolve(appId));
            assertThat(garbled).anyMatch(p -> p.getFileName().toString().endsWith(".sst"));
            Path generationFile = state.resolve(appId + ".generation");
            Files.write(generationFile, new byte[] {(byte) 0xde, (byte) 0xad});

            try (ColoServer second = kafka.startColo("ORD", state)) {
                await().atMost(TIMEOUT).until(second::isReady);
                assertThat(digestOf("http://127.0.0.1:" + second.port())).isEqualTo(expected.totalHash());
                assertThat(second.reReadRecords()).isGreaterThanOrEqualTo(regs.size());
                assertThat(Http.get("http://127.0.0.1:" + second.port() + "/tenants/cor-2999").statusCode()).isEqualTo(200);
                assertThat(second.replica().generation()).isZero();
                assertThat(Files.readString(generationFile)).isEqualTo("0");
            }
        }
    }

    @Test
    void shouldRefuseAStateDirectoryUnderARegularFileWithAnErrorNamingIt() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            Path file = SharedKafka.tempDir("colo-baddir-").resolve("not-a-directory");
            Files.writeString(file, "x");
            Path state = file.resolve("state");

            assertThatThrownBy(() -> kafka.startColo("ORD", state))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(state.toAbsolutePath().toString())
                    .hasMessageContaining(file + " is a regular file");

            // As a process: one clear line and a distinct exit code, not a stack trace or a process that hangs on.
            Process colo = kafka.startProcess("ORD", state, EmbeddedKafkaBroker.freePort(), "baddir");
            try {
                assertThat(colo.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(colo.exitValue()).isEqualTo(ColoServer.EXIT_CONFIG);
                assertThat(Files.readString(ColoFixture.processLog(state, "baddir"))).contains("cannot start", state.toAbsolutePath().toString());
            } finally {
                colo.destroyForcibly().waitFor();
            }
        }
    }

    private static void awaitReady(String base) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> Http.get(base + "/health/ready").statusCode() == 200);
    }

    private static String digestOf(String base) throws IOException {
        var response = Http.get(base + "/digest");
        assertThat(response.statusCode()).as("GET /digest: %s", response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body()).path("digest").asText();
    }

    /** Overwrites every file of every task's RocksDB store with random bytes of the same length. */
    private static List<Path> garble(Path appDir) throws IOException {
        Random random = new Random(42);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(appDir)) {
            files = walk.filter(Files::isRegularFile).filter(p -> p.toString().contains("/rocksdb/")).toList();
        }
        for (Path p : files) {
            byte[] garbage = new byte[(int) Math.max(64, Files.size(p))];
            random.nextBytes(garbage);
            Files.write(p, garbage);
        }
        return files;
    }
}
