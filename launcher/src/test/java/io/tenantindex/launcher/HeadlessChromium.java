package io.tenantindex.launcher;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantindex.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium driven through chromedriver's W3C WebDriver HTTP API, with nothing but
 * java.net.http: start chromedriver on a free port, open one session with a fresh profile, navigate,
 * run scripts, take screenshots. The flags keep an offline machine's Chromium from reaching out.
 */
final class HeadlessChromium implements AutoCloseable {
    static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-quic", "--disable-dev-shm-usage", "--window-size=1280,960");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process driver;
    private final String base;
    private final Path profile;
    private String session;

    private HeadlessChromium(Process driver, String base, Path profile) {
        this.driver = driver;
        this.base = base;
        this.profile = profile;
    }

    static Optional<Path> chromium() {
        return Tools.executable("chromium", "chromium-browser", "/usr/lib/chromium/chromium");
    }

    static Optional<Path> chromedriver() {
        return Tools.executable("chromedriver", "/usr/lib/chromium/chromedriver");
    }

    /** Starts chromedriver (its log goes to {@code logFile}) and one Chromium session. */
    static HeadlessChromium start(Path chromium, Path chromedriver, Path logFile) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(logFile.getParent());
        Process driver = new ProcessBuilder(chromedriver.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        Path profile = Files.createTempDirectory("tenant-index-chromium-");
        HeadlessChromium browser = new HeadlessChromium(driver, "http://127.0.0.1:" + port, profile);
        try {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> browser.call("GET", "/status", null).path("ready").asBoolean(false));
            ObjectNode options = Json.MAPPER.createObjectNode();
            options.put("binary", chromium.toString());
            var args = options.putArray("args");
            Stream.concat(FLAGS.stream(), Stream.of("--user-data-dir=" + profile)).forEach(args::add);
            ObjectNode caps = Json.MAPPER.createObjectNode();
            ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
            always.put("browserName", "chrome");
            always.set("goog:chromeOptions", options);
            browser.session = browser.call("POST", "/session", caps).path("sessionId").asText();
            return browser;
        } catch (RuntimeException e) {
            browser.close();
            throw e;
        }
    }

    void open(String url) {
        call("POST", "/session/" + session + "/url", Json.MAPPER.createObjectNode().put("url", url));
    }

    /** Runs {@code script} (a function body: {@code return …}) in the page and returns its value. */
    JsonNode script(String script) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("script", script);
        body.putArray("args");
        return call("POST", "/session/" + session + "/execute/sync", body);
    }

    /** A PNG of the viewport, written to {@code file}. */
    Path screenshot(Path file) throws IOException {
        byte[] png = Base64.getDecoder().decode(call("GET", "/session/" + session + "/screenshot", null).asText());
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, png);
    }

    /** One WebDriver command; returns its {@code value}, or fails with the driver's error. */
    private JsonNode call(String method, String path, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json; charset=utf-8");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode value = Json.MAPPER.readTree(r.body()).path("value");
            if (r.statusCode() != 200) {
                throw new IllegalStateException("WebDriver " + method + " " + path + " -> " + r.statusCode() + ": "
                        + value.path("error").asText() + " " + value.path("message").asText());
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } catch (RuntimeException e) {
            // The driver is being stopped anyway; the session dies with it.
        } finally {
            driver.destroy();
            try {
                if (!driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    driver.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                driver.destroyForcibly();
            }
            deleteQuietly(profile);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary profile is harmless.
        }
    }
}
