package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./tenant-index up} itself, as a user runs it: the CLI in its own JVM with its own embedded
 * KRaft broker (not the tests' shared one), every port free (0), a temporary data directory. It must
 * print its URLs and where the tokens are, serve the seeded demo tenants in all three colos, stop
 * cleanly on SIGTERM, and start again warm from the same directory, reusing the generated writer and
 * admin tokens and without re-seeding (the demo tenants stay at version 1). {@link CredentialsTest}
 * covers a token given explicitly in the environment.
 */
class UpProcessIT {
    private static final Pattern URL_LINE = Pattern.compile("^  (\\S.*?)\\s+(http://\\S+)$");

    @Test
    void shouldStartServeStopAndRestartWarmFromTheSameDirectory() throws Exception {
        Path dataDir = SharedKafka.tempDir("up");

        Running first = Running.start(dataDir, Map.of());
        Path credentials = dataDir.resolve("credentials");
        assertThat(first.output()).contains("Bearer tokens (writes: writer.token, import/rebuild: admin.token) in "
                + credentials.toAbsolutePath());
        assertThat(first.colos()).containsOnlyKeys("ORD", "SIN", "AMS");
        String writerToken = Files.readString(credentials.resolve("writer.token"), StandardCharsets.UTF_8).trim();
        String adminToken = Files.readString(credentials.resolve("admin.token"), StandardCharsets.UTF_8).trim();
        assertThat(writerToken).isNotBlank().isNotEqualTo(adminToken);
        for (String file : List.of("writer.token", "admin.token")) {
            assertThat(Files.getPosixFilePermissions(credentials.resolve(file))).as(file)
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        for (Map.Entry<String, String> colo : first.colos().entrySet()) {
            for (String demo : List.of("acme", "globex", "initech")) {
                HttpResponse<String> r = Http.get(colo.getValue() + "/tenants/" + demo);
                assertThat(r.statusCode()).as("%s in %s: %s", demo, colo.getKey(), r.body()).isEqualTo(200);
                assertThat(r.headers().firstValue("X-Colo")).contains(colo.getKey());
                assertThat(r.headers().firstValue("ETag")).contains("\"1\"");
            }
        }
        first.stopWithSigterm();

        // Warm restart from the same directory with nothing overridden: the generated tokens are reused.
        Running second = Running.start(dataDir, Map.of());
        try {
            String ams = second.colos().get("AMS");
            HttpResponse<String> acme = Http.get(ams + "/tenants/acme");
            assertThat(acme.statusCode()).isEqualTo(200);
            assertThat(acme.headers().firstValue("ETag")).as("the restart did not seed again").contains("\"1\"");
            String body = "{\"coloHint\":\"AMS\",\"metadata\":{\"tier\":\"pro\",\"features\":[],\"region\":\"eu\"}}";
            assertThat(Http.putJson(second.writer() + "/tenants/up-warm", body, "Authorization", "Bearer not-the-token").statusCode())
                    .as("the restarted writer still checks tokens").isEqualTo(401);
            assertThat(Http.putJson(second.writer() + "/tenants/up-warm", body, "Authorization", "Bearer " + writerToken).statusCode())
                    .as("the first start's writer token writes after the restart").isEqualTo(201);
            HttpResponse<String> imported = Http.send(Http.builder(second.writer() + "/tenants:import",
                            "Content-Type", "application/x-ndjson", "Authorization", "Bearer " + adminToken)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"tenantId\":\"up-warm-import\",\"metadata\":{\"tier\":\"pro\"}}"))
                    .build());
            assertThat(imported.statusCode()).as("the first start's admin token imports after the restart: %s", imported.body())
                    .isEqualTo(200);
            assertThat(Files.readString(credentials.resolve("writer.token"), StandardCharsets.UTF_8).trim())
                    .as("the writer token file is left as it was").isEqualTo(writerToken);
            assertThat(Files.readString(credentials.resolve("admin.token"), StandardCharsets.UTF_8).trim())
                    .as("the admin token file is left as it was").isEqualTo(adminToken);
        } finally {
            second.stopWithSigterm();
        }
    }

    /** One {@code tenant-index up} child process, its output collected in a file. */
    private record Running(Process process, Path log, Map<String, String> urls) {

        static Running start(Path dataDir, Map<String, String> env) throws IOException {
            Path log = Files.createTempFile(dataDir.getParent(), "up-", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                    "-cp", System.getProperty("java.class.path"), TenantIndexCli.class.getName(), "up",
                    "--data-dir", dataDir.toString(), "--kafka-port", "0", "--registry-port", "0", "--writer-port", "0",
                    "--colos", "ORD:0,SIN:0,AMS:0", "--sink-port", "0"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("TENANT_INDEX_"));
            builder.environment().putAll(env);
            Process process = builder.start();
            Running running = new Running(process, log, new LinkedHashMap<>());
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(process.isAlive()).as("up exited early:%n%s", running.output()).isTrue();
                return running.output().contains("Ctrl-C stops everything.");
            });
            running.parseUrls();
            return running;
        }

        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        private void parseUrls() throws IOException {
            for (String line : output().split("\n")) {
                Matcher m = URL_LINE.matcher(line);
                if (m.matches()) {
                    urls.put(m.group(1), m.group(2));
                }
            }
        }

        String writer() {
            return urls.get("index-writer");
        }

        Map<String, String> colos() {
            Map<String, String> colos = new LinkedHashMap<>();
            urls.forEach((name, url) -> {
                if (name.startsWith("lookup-api ")) {
                    colos.put(name.substring("lookup-api ".length()), url);
                }
            });
            return colos;
        }

        /** SIGTERM, as Ctrl-C or an init system sends it: the JVM runs the stop hook and exits 128 + 15. */
        void stopWithSigterm() throws Exception {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s:%n%s", output()).isTrue();
            String out = output();
            assertThat(process.exitValue()).as(out).isEqualTo(143);
            assertThat(out).contains("stopping tenant-index");
            assertThat(out).as("every component stopped without an error").doesNotContain("error stopping");
        }
    }
}
