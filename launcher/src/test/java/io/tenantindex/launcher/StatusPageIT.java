package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.Prerequisites;
import io.tenantindex.testing.SharedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The writer's status page in a real browser: the local stack (shared broker, free ports), Debian's
 * headless Chromium through chromedriver, a registration at the writer, and the page showing it
 * applied in all three colos. The screenshot is a build artifact: {@code launcher/target/status-page.png}.
 * Skipped (with the reason) where chromium or chromedriver is not installed; CI installs both.
 */
class StatusPageIT {
    static final Path SCREENSHOT = Path.of("target", "status-page.png");
    private static LocalStack stack;
    private static String writer;
    private static List<String> colos;

    @BeforeAll
    static void start() {
        Prerequisites.require(HeadlessChromium.chromium().isPresent() && HeadlessChromium.chromedriver().isPresent(),
                "status page browser test needs Debian's chromium and chromium-driver on the PATH "
                        + "(apt-get install chromium chromium-driver)");
        String prefix = SharedKafka.uniqueName("status");
        // Tokens are LocalStackIT's subject; this test is about something else.
        stack = TestStacks.start(TestStacks.settings(prefix, "ORD:0,SIN:0,AMS:0").with(ConfigKeys.AUTH_DISABLED, "true"));
        writer = stack.writerUrl();
        colos = stack.urls().entrySet().stream().filter(e -> e.getKey().startsWith("lookup-api")).map(Map.Entry::getValue).toList();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String body(String tier, String coloHint) {
        return "{\"coloHint\":\"" + coloHint + "\",\"metadata\":{\"tier\":\"" + tier + "\",\"features\":[\"websockets\"],"
                + "\"maxConnections\":100,\"region\":\"us\"}}";
    }

    @Test
    void shouldShowARegistrationArriveInEveryColo() throws Exception {
        Path chromium = HeadlessChromium.chromium().orElseThrow();
        Path driver = HeadlessChromium.chromedriver().orElseThrow();
        try (HeadlessChromium browser = HeadlessChromium.start(chromium, driver, Path.of("target", "chromedriver.log"))) {
            browser.open(writer + "/status");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode cards = browser.script("return Array.from(document.querySelectorAll('#colos .colo'))"
                        + ".map(c => ({colo: c.dataset.colo, up: c.dataset.up, ready: c.dataset.ready}))");
                assertThat(cards).extracting(c -> c.path("colo").asText() + ":" + c.path("up").asText() + ":" + c.path("ready").asText())
                        .containsExactly("ORD:true:true", "SIN:true:true", "AMS:true:true");
            });

            // Some traffic, so the page has changes, hit ratios and lookup rates to show.
            String id = SharedKafka.uniqueName("newco");
            for (String[] t : new String[][] {{"acme", "pro", "ORD"}, {"globex", "enterprise", "AMS"}, {"initech", "free", "SIN"}}) {
                assertThat(Http.putJson(writer + "/tenants/" + t[0], body(t[1], t[2])).statusCode()).isEqualTo(201);
            }
            assertThat(Http.putJson(writer + "/tenants/" + id, body("pro", "SJC")).statusCode()).isEqualTo(201);
            for (String colo : colos) {
                await().atMost(Duration.ofSeconds(20)).until(() -> Http.get(colo + "/tenants/" + id).statusCode() == 200);
                for (String tenant : List.of("acme", "globex", "initech", "nobody")) {
                    Http.get(colo + "/tenants/" + tenant);
                }
            }

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode row = browser.script("const tr = document.querySelector('tr[data-tenant=\"" + id + "\"]');"
                        + "return tr ? {text: tr.innerText, applied: Array.from(tr.querySelectorAll('td[data-colo]'))"
                        + ".map(td => td.dataset.colo + '=' + td.dataset.applied)} : null");
                assertThat(row.isNull()).as("the page lists the registration of %s", id).isFalse();
                assertThat(row.path("text").asText()).contains(id, "created");
                assertThat(row.path("applied")).extracting(JsonNode::asText)
                        .containsExactly("ORD=true", "SIN=true", "AMS=true");
            });
            // A few polls (with lookups going on, so the rates are not zero), so each sparkline has a
            // line to draw; then the picture.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                colos.forEach(colo -> Http.get(colo + "/tenants/" + id));
                return browser.script(
                        "return Array.from(document.querySelectorAll('#colos .spark polyline'))"
                        + ".filter(p => p.getAttribute('points').split(' ').length >= 5).length").asInt() == 3
                        && !browser.script("return document.querySelector('#colos .colo[data-colo=ORD] [data-field=lookups]')"
                                + ".textContent").asText().startsWith("0.0");
            });
            assertThat(browser.script("return document.querySelector('#colos .colo[data-colo=ORD] [data-field=hit-ratio]').textContent").asText())
                    .endsWith("%");
            browser.screenshot(SCREENSHOT);
            assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
        }
    }
}
