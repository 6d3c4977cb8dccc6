package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKey.Program;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.lookup.ColoServer;
import io.tenantindex.sink.UsageSink;
import io.tenantindex.testing.Prerequisites;
import io.tenantindex.writer.WriterApp;
import io.tenantindex.writer.status.StatusConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/ without a Docker engine: the compose file is valid for Debian's {@code docker-compose config},
 * every {@code TENANT_INDEX_*} variable a service sets is a setting that service's config really reads
 * and every setting it requires is set (both by the registry of {@link ConfigKeys}, mapped with
 * {@link Settings#envName}), every service runs a main class that exists, Prometheus scrapes each
 * of them, and Grafana's dashboard reads the provisioned data source.
 */
class DockerComposeTest {
    private static final Path DOCKER = Path.of("..", "docker");
    private static final Path COMPOSE = DOCKER.resolve("docker-compose.yml");

    /** Which process each service's main is, as the registry names the readers of a setting. */
    private static final Map<String, Program> READER_BY_MAIN = Map.of(
            WriterApp.class.getName(), Program.WRITER,
            ColoServer.class.getName(), Program.COLO,
            UsageSink.class.getName(), Program.SINK);

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        try (Reader in = Files.newBufferedReader(COMPOSE)) {
            Map<String, Object> compose = new Yaml().load(in);
            return (Map<String, Map<String, Object>>) compose.get("services");
        }
    }

    static boolean isReadBy(String envVar, Program reader) {
        return ConfigKeys.all().stream().filter(key -> key.readBy().contains(reader)).anyMatch(key -> key.isPrefix()
                ? envVar.startsWith(Settings.envName(key.key().substring(0, key.key().length() - 1)) + "_")
                : envVar.equals(Settings.envName(key.key())));
    }

    private static String mainClass(Map<String, Object> service) {
        Object command = service.get("command");
        return command instanceof List<?> list && !list.isEmpty() ? list.get(0).toString() : null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> environment(Map<String, Object> service) {
        Object env = service.get("environment");
        return env instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @Test
    void shouldOnlySetTenantIndexVariablesThatEachServiceReads() throws Exception {
        Map<String, List<String>> unknown = new TreeMap<>();
        Map<String, String> ourServices = new TreeMap<>();
        services().forEach((name, service) -> {
            String main = mainClass(service);
            List<String> vars = environment(service).keySet().stream().filter(v -> v.startsWith(Settings.ENV_PREFIX)).toList();
            if (main == null || !main.startsWith("io.tenantindex.")) {
                assertThat(vars).as("service %s is not ours but sets TENANT_INDEX_* variables", name).isEmpty();
                return;
            }
            ourServices.put(name, main);
            assertThat(READER_BY_MAIN).as("service %s runs %s: add it to READER_BY_MAIN", name, main).containsKey(main);
            List<String> bad = vars.stream().filter(v -> !isReadBy(v, READER_BY_MAIN.get(main))).toList();
            if (!bad.isEmpty()) {
                unknown.put(name, bad);
            }
        });
        assertThat(unknown).as("TENANT_INDEX_* variables no config of that service reads").isEmpty();
        assertThat(ourServices.values()).containsOnlyOnce(WriterApp.class.getName(), UsageSink.class.getName());
        assertThat(ourServices.values().stream().filter(ColoServer.class.getName()::equals)).hasSize(3);
        for (String main : new TreeSet<>(ourServices.values())) {
            assertThat(Class.forName(main).getMethod("main", String[].class)).as("main of %s", main).isNotNull();
        }
    }

    @Test
    void shouldSetEverySettingEachServiceRequires() throws Exception {
        Map<String, List<String>> missing = new TreeMap<>();
        services().forEach((name, service) -> {
            String main = mainClass(service);
            Program reader = main == null ? null : READER_BY_MAIN.get(main);
            if (reader == null) {
                return;
            }
            List<String> unset = ConfigKeys.all().stream().filter(k -> k.required() && k.readBy().contains(reader))
                    .map(k -> Settings.envName(k.key())).filter(v -> !environment(service).containsKey(v)).toList();
            if (!unset.isEmpty()) {
                missing.put(name, unset);
            }
        });
        assertThat(missing).as("required settings a service of the compose file does not set").isEmpty();
    }

    @Test
    void shouldGiveEachColoItsOwnCodeAndTheWriterEveryColoUrl() throws Exception {
        Map<String, Map<String, Object>> services = services();
        Set<String> colos = services.entrySet().stream().filter(e -> ColoServer.class.getName().equals(mainClass(e.getValue())))
                .map(e -> String.valueOf(environment(e.getValue()).get(Settings.envName(ConfigKeys.COLO))))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(colos).containsExactly("AMS", "ORD", "SIN");
        Map<String, Object> writer = services.values().stream().filter(s -> WriterApp.class.getName().equals(mainClass(s)))
                .findFirst().orElseThrow();
        Map<String, String> urls = StatusConfig.parseColoUrls(
                String.valueOf(environment(writer).get(Settings.envName(ConfigKeys.WRITER_COLO_URLS))));
        assertThat(urls.keySet()).containsExactlyInAnyOrderElementsOf(colos);
        urls.values().forEach(url -> assertThat(services).containsKey(url.replaceAll("^https?://([^:/]+).*$", "$1")));
    }

    @Test
    void shouldScrapeEveryServiceAndProvisionTheDashboard() throws Exception {
        Map<String, Map<String, Object>> services = services();
        String prometheus = Files.readString(DOCKER.resolve("prometheus/prometheus.yml"));
        services.forEach((name, service) -> {
            String main = mainClass(service);
            if (main != null && main.startsWith("io.tenantindex.")) {
                assertThat(prometheus).as("Prometheus scrapes %s", name).containsPattern("\"" + name + ":\\d+\"");
            }
        });
        JsonNode dashboard = Json.MAPPER.readTree(DOCKER.resolve("grafana/dashboards/tenant-index.json").toFile());
        List<String> exprs = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
        assertThat(exprs).isNotEmpty().allSatisfy(e -> assertThat(e).contains("tenant_index_"));
        assertThat(exprs).anySatisfy(e -> assertThat(e).contains("tenant_index_replica_lag"))
                .anySatisfy(e -> assertThat(e).contains("tenant_index_lookup_latency_seconds_bucket"))
                .anySatisfy(e -> assertThat(e).contains("outcome=\"hit\""));
        String datasource = Files.readString(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml"));
        dashboard.path("panels").forEach(p -> assertThat(datasource).contains("uid: " + p.path("datasource").path("uid").asText()));
    }

    @Test
    void shouldBeAValidComposeFileForDockerCompose() throws Exception {
        Path tool = HeadlessChromium.executable("docker-compose").orElse(null);
        Prerequisites.require(tool != null, "docker-compose config check needs Debian's docker-compose "
                + "(apt-get install docker-compose); CI installs it");
        Path log = Files.createTempFile("docker-compose-config", ".log");
        Process p = new ProcessBuilder(Stream.of(tool.toString(), "-f", COMPOSE.toString(), "config", "-q").toList())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        Files.deleteIfExists(log);
        assertThat(done).as("docker-compose config finished within 60 s").isTrue();
        assertThat(p.exitValue()).as("docker-compose config: %s", output).isZero();
        assertThat(Arrays.asList(output.split("\n"))).as("warnings").noneMatch(l -> l.contains("WARNING"));
    }
}
