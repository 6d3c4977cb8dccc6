package io.tenantindex.launcher;

import io.javalin.http.Header;
import io.tenantindex.common.Json;
import io.tenantindex.common.api.RegistrationBody;
import io.tenantindex.common.config.ConfigKey;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.protocol.ApiHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code ./tenant-index up}: the whole stack on this machine, until Ctrl-C or SIGTERM. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the local stack: a real Kafka broker (KRaft), the schema registry, the writer, "
                + "three colos (ORD, SIN, AMS) and the usage sink. Every flag is also an environment variable: "
                + "--kafka-port = TENANT_INDEX_KAFKA_PORT. Any other setting of any service can be given the same way, "
                + "e.g. --index-partitions 12 or --usage-retention-ms 86400000.")
final class UpCommand implements Callable<Integer> {
    /** Demo tenants seeded on an empty index so the walk-through has something to look up. */
    private static final Map<String, RegistrationBody> DEMO = demoTenants();

    /** How long "up" waits for the colos to catch up before it prints its URLs anyway. */
    private static final Duration READY_WAIT = Duration.ofSeconds(60);

    @Option(names = "--data-dir", description = "Broker, registry and replica state (default: " + ConfigKeys.DEFAULT_DATA_DIR + ").")
    Path dataDir;
    @Option(names = "--kafka-port", description = "Port of the embedded broker (default 9092).")
    Integer kafkaPort;
    @Option(names = "--brokers", description = "How many embedded brokers (default 1). With 3, a KRaft cluster on which "
            + "topics default to replication factor 3 and min.insync.replicas 2; its first broker is on --kafka-port.")
    Integer brokers;
    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of the embedded broker.")
    String bootstrapServers;
    @Option(names = "--registry-port", description = "Port of the embedded schema registry (default " + ConfigKeys.DEFAULT_REGISTRY_PORT + ").")
    Integer registryPort;
    @Option(names = "--registry-url", description = "Use this Confluent-compatible registry instead of the embedded one.")
    String registryUrl;
    @Option(names = "--writer-port", description = "index-writer port (default " + ConfigKeys.DEFAULT_WRITER_PORT + ").")
    Integer writerPort;
    @Option(names = "--colos", description = "Colos and their lookup-api ports (default " + ConfigKeys.DEFAULT_COLOS + ").")
    String colos;
    @Option(names = "--sink-port", description = "usage-log-sink port (default " + ConfigKeys.DEFAULT_SINK_PORT + ").")
    Integer sinkPort;
    @Option(names = "--host", description = "Address every HTTP server binds to (default 127.0.0.1).")
    String host;
    // No picocli default: an absent flag leaves TENANT_INDEX_SEED / TENANT_INDEX_SINK (or the default, on) in charge.
    @Option(names = "--seed", negatable = true,
            description = "Seed demo tenants acme, globex and initech (default: on).")
    Boolean seed;
    @Option(names = "--sink", negatable = true,
            description = "Run the usage-log-sink in this process (default: on; off when it runs elsewhere).")
    Boolean sink;
    @Unmatched
    List<String> settings = new ArrayList<>();

    /** Called by picocli with this command's model: the help ends with every setting the registry knows. */
    @Spec
    void spec(CommandSpec spec) {
        UsageMessageSpec usage = spec.usageMessage();
        Map<String, IHelpSectionRenderer> sections = new LinkedHashMap<>(usage.sectionMap());
        sections.put(SETTINGS_SECTION, UpCommand::settingsHelp);
        List<String> keys = new ArrayList<>(usage.sectionKeys());
        keys.add(SETTINGS_SECTION);
        usage.sectionMap(sections).sectionKeys(keys);
    }

    private static final String SETTINGS_SECTION = "settings";

    /** One row per registered key: flag and default, then its meaning. */
    private static String settingsHelp(Help help) {
        int first = 40;
        TextTable table = TextTable.forColumns(help.colorScheme(), new Column(first, 2, Column.Overflow.SPAN),
                new Column(Math.max(40, help.commandSpec().usageMessage().width() - first), 1, Column.Overflow.WRAP));
        for (ConfigKey key : ConfigKeys.all()) {
            String flag = Settings.flagName(key.key()) + (key.isPrefix() ? "*" : "");
            String dflt = key.required() ? " (required)"
                    : key.defaultValue() == null || key.defaultValue().isEmpty() ? "" : " (" + key.defaultValue() + ")";
            table.addRowValues(flag + dflt, key.description().replace("`", ""));
        }
        return String.format("%nSettings: flag = env var TENANT_INDEX_…, `up` passes each on to the services (default):%n") + table;
    }

    @Override
    public Integer call() throws Exception {
        LocalStackConfig config = config(System.getenv());
        long started = System.nanoTime();
        LocalStack stack = new LocalStack();
        CountDownLatch stopped = new CountDownLatch(1);
        // Registered before anything starts: Ctrl-C during a cold start still stops the broker and
        // the Streams apps cleanly instead of leaving half-written state behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nstopping tenant-index …");
            stack.close();
            stopped.countDown();
        }, "tenant-index-shutdown"));
        stack.startComponents(config);
        awaitColosReady(stack, READY_WAIT);
        if (config.seedDemoTenants()) {
            seed(stack.writerUrl(), stack.credentials().map(Credentials::writerToken), stack.coloUrls().values());
        }
        System.out.printf("%ntenant-index is up in %.1f s (data in %s)%n", (System.nanoTime() - started) / 1e9,
                config.dataDir().toAbsolutePath());
        stack.urls().forEach((name, url) -> System.out.printf("  %-18s %s%n", name, url));
        String firstColo = stack.coloUrls().values().iterator().next();
        stack.credentials().ifPresentOrElse(
                c -> System.out.printf("%nBearer tokens (writes: writer.token, import/rebuild: admin.token) in %s%n",
                        c.directory().toAbsolutePath()),
                () -> System.out.printf("%nAuth is disabled: anyone who reaches these ports can write.%n"));
        System.out.printf("%nStatus page: %s/status%nTry:  curl -s %s/tenants/acme%nCtrl-C stops everything.%n",
                stack.writerUrl(), firstColo);
        stopped.await();
        return 0;
    }

    /**
     * Waits until every colo is ready (caught up with the topic), so that "up" means lookups answer;
     * after {@code limit} it says which colos still restore and goes on: they answer 503 until ready.
     */
    private static void awaitColosReady(LocalStack stack, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (stack.colos().values().stream().anyMatch(c -> !c.isReady())) {
            if (System.nanoTime() > deadline) {
                stack.colos().forEach((code, colo) -> {
                    if (!colo.isReady()) {
                        System.out.printf("warning: colo %s is still restoring its replica (its /health shows progress)%n", code);
                    }
                });
                return;
            }
            Thread.sleep(50);
        }
    }

    /** Flags given on the command line win over the environment, which wins over the defaults. */
    LocalStackConfig config(Map<String, String> env) {
        Map<String, String> flags = new HashMap<>();
        put(flags, ConfigKeys.DATA_DIR, dataDir);
        put(flags, ConfigKeys.KAFKA_PORT, kafkaPort);
        put(flags, ConfigKeys.BROKERS, brokers);
        put(flags, ConfigKeys.BOOTSTRAP_SERVERS, bootstrapServers);
        put(flags, ConfigKeys.REGISTRY_PORT, registryPort);
        put(flags, ConfigKeys.REGISTRY_URL, registryUrl);
        put(flags, ConfigKeys.WRITER_PORT, writerPort);
        put(flags, ConfigKeys.COLOS, colos);
        put(flags, ConfigKeys.SINK_PORT, sinkPort);
        put(flags, ConfigKeys.HTTP_HOST, host);
        put(flags, ConfigKeys.SEED, seed);
        put(flags, ConfigKeys.SINK, sink);
        Settings base = Settings.fromEnvironmentAndArgs(env, settings.toArray(String[]::new));
        return LocalStackConfig.from(base.with(flags));
    }

    private static void put(Map<String, String> flags, String key, Object value) {
        if (value != null) {
            flags.put(key, value.toString());
        }
    }

    private static Map<String, RegistrationBody> demoTenants() {
        Map<String, RegistrationBody> demo = new LinkedHashMap<>();
        demo.put("acme", RegistrationBody.of("ORD", "enterprise", List.of("websockets", "kv"), 5000, "us"));
        demo.put("globex", RegistrationBody.of("SIN", "pro", List.of("kv"), 500, "apac"));
        demo.put("initech", RegistrationBody.of("AMS", "free", List.of(), null, "eu"));
        return Collections.unmodifiableMap(demo);
    }

    /**
     * Create-only (If-None-Match: *), so a restart never bumps the demo tenants' versions. Each new
     * registration's consistency token is then presented to every colo, so that "up" is printed only
     * once the demo tenants answer everywhere.
     */
    private static void seed(String writerUrl, Optional<String> writerToken, Collection<String> coloUrls) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Map<String, String> tokens = new LinkedHashMap<>();
        for (Map.Entry<String, RegistrationBody> demo : DEMO.entrySet()) {
            String tenantId = demo.getKey();
            HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(writerUrl + "/tenants/" + tenantId))
                    .header(Header.CONTENT_TYPE, "application/json").header(Header.IF_NONE_MATCH, "*")
                    .PUT(HttpRequest.BodyPublishers.ofString(Json.write(demo.getValue())));
            writerToken.ifPresent(t -> put.header(Header.AUTHORIZATION, "Bearer " + t));
            HttpResponse<String> r = http.send(put.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 201) {
                r.headers().firstValue(ApiHeaders.CONSISTENCY_TOKEN).ifPresent(token -> tokens.put(tenantId, token));
            } else if (r.statusCode() != 412) {
                throw new IllegalStateException("seeding " + tenantId + " failed: " + r.statusCode() + " " + r.body());
            }
        }
        for (String colo : coloUrls) {
            for (Map.Entry<String, String> seeded : tokens.entrySet()) {
                HttpRequest lookup = HttpRequest.newBuilder(URI.create(colo + "/tenants/" + seeded.getKey() + "?wait=10s"))
                        .header(ApiHeaders.CONSISTENCY_TOKEN, seeded.getValue()).build();
                HttpResponse<String> r = http.send(lookup, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    System.out.printf("warning: %s does not show %s yet (%d)%n", colo, seeded.getKey(), r.statusCode());
                }
            }
        }
    }
}
