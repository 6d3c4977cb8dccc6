package io.tenantindex.launcher;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** {@code ./tenant-index up}: the whole stack on this machine, until Ctrl-C or SIGTERM. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the local stack: a real Kafka broker (KRaft), the schema registry, the writer, "
                + "three colos (ORD, SIN, AMS) and the usage sink. Every flag is also an environment variable: "
                + "--kafka-port = TENANT_INDEX_KAFKA_PORT. Any other setting of any service can be given the same way, "
                + "e.g. --index-partitions 12 or --usage-retention-ms 86400000.")
final class UpCommand implements Callable<Integer> {
    /** Demo tenants seeded on an empty index so the walk-through has something to look up. */
    private static final List<String> DEMO = List.of(
            "acme|{\"coloHint\":\"ORD\",\"metadata\":{\"tier\":\"enterprise\",\"features\":[\"websockets\",\"kv\"],\"maxConnections\":5000,\"region\":\"us\"}}",
            "globex|{\"coloHint\":\"SIN\",\"metadata\":{\"tier\":\"pro\",\"features\":[\"kv\"],\"maxConnections\":500,\"region\":\"apac\"}}",
            "initech|{\"coloHint\":\"AMS\",\"metadata\":{\"tier\":\"free\",\"features\":[],\"region\":\"eu\"}}");

    @Option(names = "--data-dir", description = "Broker, registry and replica state (default: .tenant-index).")
    Path dataDir;
    @Option(names = "--kafka-port", description = "Port of the embedded broker (default 9092).")
    Integer kafkaPort;
    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of the embedded broker.")
    String bootstrapServers;
    @Option(names = "--registry-port", description = "Port of the embedded schema registry (default 8085).")
    Integer registryPort;
    @Option(names = "--registry-url", description = "Use this Confluent-compatible registry instead of the embedded one.")
    String registryUrl;
    @Option(names = "--writer-port", description = "index-writer port (default 8080).")
    Integer writerPort;
    @Option(names = "--colos", description = "Colos and their lookup-api ports (default ORD:8081,SIN:8082,AMS:8083).")
    String colos;
    @Option(names = "--sink-port", description = "usage-log-sink port (default 8090).")
    Integer sinkPort;
    @Option(names = "--host", description = "Address every HTTP server binds to (default 127.0.0.1).")
    String host;
    @Option(names = "--seed", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Seed demo tenants acme, globex and initech (default: on).")
    boolean seed;
    @Option(names = "--sink", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the usage-log-sink in this process (default: on; off when it runs elsewhere).")
    boolean sink;
    @Unmatched
    List<String> settings = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new HashMap<>();
        put(flags, LocalStackConfig.DATA_DIR, dataDir);
        put(flags, LocalStackConfig.KAFKA_PORT, kafkaPort);
        put(flags, ConfigKeys.BOOTSTRAP_SERVERS, bootstrapServers);
        put(flags, LocalStackConfig.REGISTRY_PORT, registryPort);
        put(flags, ConfigKeys.REGISTRY_URL, registryUrl);
        put(flags, LocalStackConfig.WRITER_PORT, writerPort);
        put(flags, LocalStackConfig.COLOS, colos);
        put(flags, LocalStackConfig.SINK_PORT, sinkPort);
        put(flags, ConfigKeys.HTTP_HOST, host);
        flags.put(LocalStackConfig.SEED, Boolean.toString(seed));
        flags.put(LocalStackConfig.SINK, Boolean.toString(sink));
        Settings base = Settings.fromEnvironmentAndArgs(System.getenv(), settings.toArray(String[]::new));
        LocalStackConfig config = LocalStackConfig.from(base.with(flags));

        long started = System.nanoTime();
        LocalStack stack = LocalStack.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nstopping tenant-index …");
            stack.close();
            stopped.countDown();
        }, "tenant-index-shutdown"));
        if (config.seedDemoTenants()) {
            seed(stack.writerUrl(), stack.credentials().map(Credentials::writerToken));
        }
        System.out.printf("%ntenant-index is up in %.1f s (data in %s)%n", (System.nanoTime() - started) / 1e9,
                config.dataDir().toAbsolutePath());
        stack.urls().forEach((name, url) -> System.out.printf("  %-18s %s%n", name, url));
        String firstColo = stack.urls().entrySet().stream().filter(e -> e.getKey().startsWith("lookup-api"))
                .map(Map.Entry::getValue).findFirst().orElseThrow();
        stack.credentials().ifPresentOrElse(
                c -> System.out.printf("%nBearer tokens (writes: writer.token, import/rebuild: admin.token) in %s%n",
                        c.directory().toAbsolutePath()),
                () -> System.out.printf("%nAuth is disabled: anyone who reaches these ports can write.%n"));
        System.out.printf("%nStatus page: %s/status%nTry:  curl -s %s/tenants/acme%nCtrl-C stops everything.%n",
                stack.writerUrl(), firstColo);
        stopped.await();
        return 0;
    }

    private static void put(Map<String, String> flags, String key, Object value) {
        if (value != null) {
            flags.put(key, value.toString());
        }
    }

    /** Create-only (If-None-Match: *), so a restart never bumps the demo tenants' versions. */
    private static void seed(String writerUrl, Optional<String> writerToken) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String demo : DEMO) {
            String[] parts = demo.split("\\|", 2);
            HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(writerUrl + "/tenants/" + parts[0]))
                    .header("Content-Type", "application/json").header("If-None-Match", "*")
                    .PUT(HttpRequest.BodyPublishers.ofString(parts[1]));
            writerToken.ifPresent(t -> put.header("Authorization", "Bearer " + t));
            HttpResponse<String> r = http.send(put.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201 && r.statusCode() != 412) {
                throw new IllegalStateException("seeding " + parts[0] + " failed: " + r.statusCode() + " " + r.body());
            }
        }
    }
}
