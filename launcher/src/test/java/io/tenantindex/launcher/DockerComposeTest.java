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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/ without a Docker engine: the compose file is valid for Debian's {@code docker-compose config},
 * every {@code TENANT_INDEX_*} variable a service sets is a setting that service's config really reads
 * and every setting it requires is set (both by the registry of {@link ConfigKeys}, mapped with
 * {@link Settings#envName}), every service runs a main class that exists, Prometheus scrapes each
 * of them, and Grafana's dashboard reads the provisioned data source. And the production shape:
 * two instances of every colo behind one name, each with its own instance id and volume; a standby
 * writer with the same writer.id; stop grace periods longer than each service's own shutdown; three
 * brokers and replication factor 3 everywhere.
 */
class DockerComposeTest {
    private static final Path DOCKER = Path.of("..", "docker");
    private static final Path COMPOSE = DOCKER.resolve("docker-compose.yml");

    /** Which process each service's main is, as the registry names the readers of a setting. */
    private static final Map<String, Program> READER_BY_MAIN = Map.of(
            WriterApp.class.getName(), Program.WRITER,
            ColoServer.class.getName(), Program.COLO,
            UsageSink.class.getName(), Program.SINK);

    /** Docker's stop grace period when a service sets none: the default budget must fit in it. */
    private static final Duration DOCKER_DEFAULT_GRACE = Duration.ofSeconds(10);
    /** Beyond the services' own shutdown budget: JVM exit after the shutdown hook, and the logs flushing. */
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(2);

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
        assertThat(ourServices.values()).containsOnlyOnce(UsageSink.class.getName());
        assertThat(ourServices.values().stream().filter(WriterApp.class.getName()::equals)).as("active and standby writer").hasSize(2);
        assertThat(ourServices.values().stream().filter(ColoServer.class.getName()::equals)).as("two instances of three colos").hasSize(6);
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
        Set<String> names = new TreeSet<>(services.keySet());
        services.values().forEach(service -> names.addAll(aliases(service)));
        urls.values().forEach(url -> assertThat(names).as("service or network alias").contains(host(url)));
    }

    @Test
    void shouldRunTwoInstancesOfEveryColoBehindOneNameEachWithItsOwnIdAndVolume() throws Exception {
        Map<String, Map<String, Object>> services = services();
        Map<String, List<String>> instancesByColo = new TreeMap<>();
        Set<String> instanceIds = new TreeSet<>();
        Set<String> volumes = new TreeSet<>();
        String nginx = Files.readString(DOCKER.resolve("nginx/colos.conf"));
        services.forEach((name, service) -> {
            if (!ColoServer.class.getName().equals(mainClass(service))) {
                return;
            }
            Map<String, Object> env = environment(service);
            String colo = String.valueOf(env.get(Settings.envName(ConfigKeys.COLO)));
            instancesByColo.computeIfAbsent(colo, c -> new ArrayList<>()).add(name);
            Object instance = env.get(Settings.envName(ConfigKeys.INSTANCE_ID));
            assertThat(instance).as("%s sets a stable instance id", name).isNotNull();
            assertThat(instanceIds.add(colo + "/" + instance)).as("%s: instance id %s used once in %s", name, instance, colo).isTrue();
            String stateVolume = volumeAt(service, "/var/lib/tenant-index");
            assertThat(stateVolume).as("%s keeps its state on a volume", name).isNotNull();
            assertThat(volumes.add(stateVolume)).as("%s: volume %s of its own", name, stateVolume).isTrue();
            String sharedName = "colo-" + colo.toLowerCase(Locale.ROOT);
            assertThat(aliases(service)).as("%s answers as %s", name, sharedName).contains(sharedName);
            assertThat(nginx).as("the load balancer sends %s traffic to %s", colo, name)
                    .containsPattern("upstream " + sharedName + " \\{[^}]*server " + name + ":8081");
        });
        assertThat(instancesByColo).containsOnlyKeys("AMS", "ORD", "SIN").allSatisfy((colo, names) -> assertThat(names).hasSize(2));
    }

    @Test
    void shouldRunAStandbyWriterWithTheSameWriterIdAndItsOwnAdvertisedUrl() throws Exception {
        Map<String, Map<String, Object>> writers = new TreeMap<>();
        services().forEach((name, service) -> {
            if (WriterApp.class.getName().equals(mainClass(service))) {
                writers.put(name, service);
            }
        });
        assertThat(writers).hasSize(2);
        Set<Object> writerIds = writers.values().stream().map(s -> environment(s).get(Settings.envName(ConfigKeys.WRITER_ID)))
                .collect(Collectors.toSet());
        assertThat(writerIds).as("one writer.id: one transactional.id, so the elected one fences the other").hasSize(1)
                .doesNotContainNull();
        writers.forEach((name, service) -> {
            Map<String, Object> env = environment(service);
            String advertised = String.valueOf(env.get(Settings.envName(ConfigKeys.WRITER_ADVERTISED_URL)));
            assertThat(host(advertised)).as("%s advertises itself", name).isEqualTo(name);
            assertThat(advertised).as("%s advertises the port it listens on", name)
                    .endsWith(":" + env.get(Settings.envName(ConfigKeys.HTTP_PORT)));
        });
    }

    @Test
    void shouldGiveEveryServiceLongerToStopThanItsOwnShutdownTakes() throws Exception {
        Duration defaultBudget = Duration.ofMillis(Long.parseLong(ConfigKeys.defaultOf(ConfigKeys.SHUTDOWN_TIMEOUT_MS)));
        assertThat(defaultBudget.plus(EXIT_MARGIN)).as("default %s within Docker's default grace period", ConfigKeys.SHUTDOWN_TIMEOUT_MS)
                .isLessThanOrEqualTo(DOCKER_DEFAULT_GRACE);
        services().forEach((name, service) -> {
            String main = mainClass(service);
            Duration grace = grace(service);
            if (main != null && main.startsWith("io.tenantindex.")) {
                Object set = environment(service).get(Settings.envName(ConfigKeys.SHUTDOWN_TIMEOUT_MS));
                Duration budget = set == null ? defaultBudget : Duration.ofMillis(Long.parseLong(set.toString()));
                assertThat(grace).as("stop_grace_period of %s, whose %s is %s", name, ConfigKeys.SHUTDOWN_TIMEOUT_MS, budget)
                        .isGreaterThanOrEqualTo(budget.plus(EXIT_MARGIN));
            } else if (isBroker(service)) {
                // A controlled shutdown first moves the broker's partition leaderships away.
                assertThat(grace).as("stop_grace_period of %s", name).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
            }
        });
    }

    @Test
    void shouldReplicateEveryTopicThreeTimesOnTheThreeBrokers() throws Exception {
        Map<String, Map<String, Object>> services = services();
        List<String> brokers = services.entrySet().stream().filter(e -> isBroker(e.getValue())).map(Map.Entry::getKey).toList();
        assertThat(brokers).hasSize(3);
        Set<Object> voters = new TreeSet<>();
        for (String broker : brokers) {
            Map<String, Object> env = environment(services.get(broker));
            voters.add(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
            assertThat(env).as(broker).containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2");
        }
        assertThat(voters).as("one controller quorum of all three").hasSize(1);
        brokers.forEach(b -> assertThat(String.valueOf(voters.iterator().next())).contains("@" + b + ":"));
        services.forEach((name, service) -> {
            String main = mainClass(service);
            if (main == null || !main.startsWith("io.tenantindex.")) {
                return;
            }
            Map<String, Object> env = environment(service);
            assertThat(env).as(name).containsEntry(Settings.envName(ConfigKeys.TOPIC_REPLICATION_FACTOR), "3")
                    .containsEntry(Settings.envName(ConfigKeys.TOPIC_MIN_INSYNC_REPLICAS), "2");
            List<String> bootstrap = List.of(String.valueOf(env.get(Settings.envName(ConfigKeys.BOOTSTRAP_SERVERS))).split(","));
            assertThat(bootstrap.stream().map(a -> a.replaceAll(":\\d+$", ""))).as("%s knows every broker", name)
                    .containsExactlyInAnyOrderElementsOf(brokers);
        });
    }

    private static boolean isBroker(Map<String, Object> service) {
        return String.valueOf(service.get("image")).startsWith("apache/kafka:");
    }

    private static String host(String url) {
        return url.replaceAll("^https?://([^:/]+).*$", "$1");
    }

    /** stop_grace_period in compose's duration form (1m30s, 45s); docker's default is 10 s. */
    private static Duration grace(Map<String, Object> service) {
        Object value = service.get("stop_grace_period");
        if (value == null) {
            return Duration.ofSeconds(10);
        }
        Matcher m = Pattern.compile("(?:(\\d+)m)?(?:(\\d+)s)?").matcher(value.toString());
        assertThat(m.matches()).as("stop_grace_period %s", value).isTrue();
        return Duration.ofMinutes(m.group(1) == null ? 0 : Long.parseLong(m.group(1)))
                .plusSeconds(m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
    }

    @SuppressWarnings("unchecked")
    private static List<String> aliases(Map<String, Object> service) {
        if (!(service.get("networks") instanceof Map<?, ?> networks)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        networks.values().forEach(n -> {
            if (n instanceof Map<?, ?> network && network.get("aliases") instanceof List<?> list) {
                list.forEach(a -> out.add(a.toString()));
            }
        });
        return out;
    }

    /** The named volume mounted at {@code path}, or null. */
    private static String volumeAt(Map<String, Object> service, String path) {
        if (!(service.get("volumes") instanceof List<?> volumes)) {
            return null;
        }
        return volumes.stream().map(Object::toString).filter(v -> v.endsWith(":" + path)).map(v -> v.substring(0, v.indexOf(':')))
                .findFirst().orElse(null);
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
        // prometheus.yml names its rule file relative to itself; the container must have it there.
        assertThat(prometheus).contains("rule_files:\n  - alerts.yml");
        assertThat(volumeAt(services.get("prometheus"), "/etc/prometheus/alerts.yml:ro")).isEqualTo("./prometheus/alerts.yml");
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
        Path tool = Tools.executable("docker-compose").orElse(null);
        Prerequisites.require(tool != null, "docker-compose config check needs Debian's docker-compose "
                + "(apt-get install docker-compose); CI installs it");
        Tools.Result result = Tools.run(Path.of("."), Duration.ofSeconds(60), List.of(tool.toString(), "-f", COMPOSE.toString(), "config", "-q"));
        String output = result.output();
        assertThat(result.exitCode()).as("docker-compose config (-1: not finished within 60 s): %s", output).isZero();
        assertThat(Arrays.asList(output.split("\n"))).as("warnings").noneMatch(l -> l.contains("WARNING"));
    }
}
