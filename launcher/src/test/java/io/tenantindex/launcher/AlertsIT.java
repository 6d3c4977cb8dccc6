package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.Prerequisites;
import io.tenantindex.testing.SharedKafka;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.Yaml;

/**
 * The shipped alert rules on Debian's real {@code prometheus}, scraping a running stack (writer, one
 * colo, sink) on a broker of its own: every rule evaluates without error and nothing fires while all
 * is well; then a burst of misses, a poison record on the index topic and the broker's loss each make
 * their alert fire, as Prometheus's HTTP API reports it. The rules' {@code for} durations are set to
 * zero here (minutes otherwise); {@link AlertRulesTest} checks them with promtool on synthetic series.
 * And every metric the rules and the Grafana dashboard query is one the services really export.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertsIT {
    private static final Path DASHBOARD = Path.of("..", "docker", "grafana", "dashboards", "tenant-index.json");
    private static final Duration ALERT_WAIT = Duration.ofSeconds(90);

    private static EmbeddedKafkaBroker broker;
    private static LocalStack stack;
    private static Process prometheus;
    private static String prometheusUrl;
    private static String indexTopic;
    private static Path workDir;

    @BeforeAll
    static void start() throws Exception {
        Path binary = Tools.executable("prometheus").orElse(null);
        Prerequisites.require(binary != null, "the alert test needs Debian's prometheus package (apt-get install prometheus); CI installs it");
        workDir = SharedKafka.tempDir("alerts");
        // A broker of its own: the test stops it to make the colo degraded.
        broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"), EmbeddedKafkaBroker.freePort(), Map.of());
        String prefix = SharedKafka.uniqueName("alerts");
        indexTopic = prefix + "-index";
        stack = TestStacks.start(TestStacks.settings(prefix, "ORD:0", broker.bootstrapServers()).with(Map.of(
                ConfigKeys.AUTH_DISABLED, "true",
                ConfigKeys.COLO_REFRESH_INTERVAL_MS, "200")));
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.colos().get("ORD").isReady());

        Files.writeString(workDir.resolve("alerts.yml"), withoutForDurations(Files.readString(AlertRulesTest.PROMETHEUS_DIR.resolve("alerts.yml"))));
        Files.writeString(workDir.resolve("prometheus.yml"), scrapeConfig());
        int port = EmbeddedKafkaBroker.freePort();
        prometheusUrl = "http://127.0.0.1:" + port;
        prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + workDir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + workDir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(workDir.resolve("prometheus.log").toFile()).start();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> Http.get(prometheusUrl + "/-/ready").statusCode() == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            prometheus.waitFor();
        }
        if (stack != null) {
            stack.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void shouldEvaluateEveryRuleWithoutFiringWhileAllIsWell() throws Exception {
        await().atMost(ALERT_WAIT).untilAsserted(() -> {
            assertThat(targetHealth()).as("scrape targets").containsOnly("up").hasSize(3);
            assertThat(ruleHealth()).as("rule health").containsOnly("ok");
            // Until the first scrape, "no writer is active" is true: wait for an evaluation after it.
            assertThat(alerts("firing")).as("firing on a healthy stack").isEmpty();
        });
    }

    @Test
    @Order(2)
    void shouldExportEveryMetricTheRulesAndTheDashboardQuery() throws Exception {
        Set<String> exported = new HashSet<>(Set.of("up"));
        for (String url : List.of(stack.writerUrl(), stack.coloUrls().get("ORD"), stack.urls().get("usage-log-sink"))) {
            Matcher sample = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(Http.get(url + "/metrics").body());
            while (sample.find()) {
                exported.add(sample.group(1));
            }
        }
        Set<String> queried = new TreeSet<>();
        ruleExpressions().forEach(expr -> queried.addAll(PromQl.metricNames(expr)));
        JsonNode dashboard = Json.MAPPER.readTree(DASHBOARD.toFile());
        dashboard.findValues("expr").forEach(expr -> queried.addAll(PromQl.metricNames(expr.asText())));
        assertThat(queried).as("metrics the rules and the dashboard query").hasSizeGreaterThan(10);
        assertThat(exported).as("metrics the services export").containsAll(queried);
    }

    @Test
    @Order(3)
    void shouldFireOnAHighMissRate() {
        String colo = stack.coloUrls().get("ORD");
        for (int i = 0; i < 50; i++) {
            assertThat(Http.get(colo + "/tenants/never-registered-" + i).statusCode()).isEqualTo(404);
        }
        awaitFiring("TenantIndexMissRateHigh", Map.of("colo", "ORD"));
    }

    @Test
    @Order(4)
    void shouldFireWhenARecordIsDeadLettered() throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            // Not the registry's wire format (magic byte 0): no colo can decode it.
            producer.send(new ProducerRecord<>(indexTopic, "poison-1", "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
        awaitFiring("TenantIndexRecordsDeadLettered", Map.of("colo", "ORD"));
    }

    @Test
    @Order(5)
    void shouldFireWhenAColoLosesKafka() {
        broker.close();
        broker = null;
        awaitFiring("TenantIndexColoDegraded", Map.of("colo", "ORD"));
    }

    private static void awaitFiring(String alert, Map<String, String> labels) {
        await().atMost(ALERT_WAIT).untilAsserted(() -> assertThat(alerts("firing"))
                .as("firing alerts").anySatisfy(a -> {
                    assertThat(a.path("labels").path("alertname").asText()).isEqualTo(alert);
                    labels.forEach((k, v) -> assertThat(a.path("labels").path(k).asText()).isEqualTo(v));
                }));
    }

    private static List<JsonNode> alerts(String state) throws Exception {
        List<JsonNode> matching = new ArrayList<>();
        api("/api/v1/alerts").path("alerts").forEach(a -> {
            if (a.path("state").asText().equals(state)) {
                matching.add(a);
            }
        });
        return matching;
    }

    private static List<String> ruleHealth() throws Exception {
        List<String> health = new ArrayList<>();
        api("/api/v1/rules").path("groups").forEach(g -> g.path("rules").forEach(r ->
                health.add(r.path("health").asText() + (r.path("lastError").asText().isEmpty() ? "" : ": " + r.path("lastError").asText()))));
        return health;
    }

    private static List<String> targetHealth() throws Exception {
        List<String> health = new ArrayList<>();
        api("/api/v1/targets").path("activeTargets").forEach(t -> health.add(t.path("health").asText()));
        return health;
    }

    private static JsonNode api(String path) throws Exception {
        JsonNode answer = Json.MAPPER.readTree(Http.get(prometheusUrl + path).body());
        assertThat(answer.path("status").asText()).as("%s", path).isEqualTo("success");
        return answer.path("data");
    }

    @SuppressWarnings("unchecked")
    private static List<String> ruleExpressions() throws Exception {
        Map<String, Object> rules = new Yaml().load(Files.readString(AlertRulesTest.PROMETHEUS_DIR.resolve("alerts.yml")));
        return ((List<Map<String, Object>>) rules.get("groups")).stream()
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream())
                .map(r -> (String) r.get("expr")).collect(Collectors.toList());
    }

    /** The shipped rules with every {@code for:} at zero, so a true condition fires at its first evaluation. */
    static String withoutForDurations(String rules) {
        return rules.replaceAll("(?m)^(\\s+)for: .*$", "$1for: 0s");
    }

    /** Scrapes the three services every second, under the job names the compose file's Prometheus uses. */
    private static String scrapeConfig() {
        return """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - alerts.yml
                scrape_configs:
                  - job_name: index-writer
                    static_configs: [{ targets: ["%s"] }]
                  - job_name: lookup-api
                    static_configs: [{ targets: ["%s"] }]
                  - job_name: usage-log-sink
                    static_configs: [{ targets: ["%s"] }]
                """.formatted(hostPort(stack.writerUrl()), hostPort(stack.coloUrls().get("ORD")), hostPort(stack.urls().get("usage-log-sink")));
    }

    private static String hostPort(String url) {
        URI uri = URI.create(url);
        return uri.getHost() + ":" + uri.getPort();
    }
}
