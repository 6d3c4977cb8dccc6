package io.tenantindex.launcher;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.kafka.embedded.EmbeddedKafkaCluster;
import io.tenantindex.lookup.ColoConfig;
import io.tenantindex.lookup.ColoServer;
import io.tenantindex.lookup.usage.KafkaUsageEmitter;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.sink.SinkConfig;
import io.tenantindex.sink.UsageSink;
import io.tenantindex.writer.WriterApp;
import io.tenantindex.writer.WriterConfig;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole tenant-index stack in one JVM: a real KRaft broker, or a cluster of them with
 * --brokers 3 (unless --bootstrap-servers points at a cluster), the embedded schema registry (unless --registry-url), the writer, one colo
 * (materializer + lookup-api + usage emitter) per configured colo, and the usage sink. Components
 * stop in reverse start order.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Map<String, String> urls = new LinkedHashMap<>();
    private final Map<String, ColoServer> colos = new LinkedHashMap<>();
    private String bootstrapServers;
    private Credentials credentials;
    private WriterApp writer;

    private boolean closed;

    LocalStack() {
    }

    public static LocalStack start(LocalStackConfig config) {
        LocalStack stack = new LocalStack();
        stack.startComponents(config);
        return stack;
    }

    /** Starts every component; on failure, or when {@link #close()} comes first, stops what did start. */
    void startComponents(LocalStackConfig config) {
        try {
            startAll(config);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Keeps a started component for {@link #close()}; one that started after close is stopped at once. */
    private synchronized <T extends AutoCloseable> T track(T component) {
        if (closed) {
            try {
                component.close();
            } catch (Exception e) {
                LOG.warn("error stopping {}", component.getClass().getSimpleName(), e);
            }
            throw new IllegalStateException("the local stack was stopped while it started");
        }
        started.push(component);
        return component;
    }

    private void startAll(LocalStackConfig config) {
        String host = config.host();
        bootstrapServers = config.externalBootstrap();
        if (bootstrapServers == null) {
            EmbeddedKafkaCluster kafka = track(EmbeddedKafkaCluster.start(config.dataDir().resolve("kafka"), config.brokers(),
                    config.kafkaPort(), Map.of()));
            bootstrapServers = kafka.bootstrapServers();
        }
        urls.put("kafka", bootstrapServers);
        Settings shared = config.shared().with(ConfigKeys.BOOTSTRAP_SERVERS, bootstrapServers)
                .with(ConfigKeys.HTTP_HOST, host);
        if (!shared.bool(ConfigKeys.AUTH_DISABLED, false)) {
            credentials = Credentials.loadOrCreate(config.dataDir(), shared);
            shared = credentials.applyTo(shared);
        }

        String registryUrl = config.externalRegistryUrl();
        if (registryUrl == null) {
            EmbeddedSchemaRegistry registry = track(EmbeddedSchemaRegistry.start(KafkaSettings.from(shared),
                    TopicsConfig.from(shared).schemas(), host, config.registryPort()));
            registryUrl = "http://" + host + ":" + registry.port();
            // The local stack owns its registry, so it registers the schemas it writes.
            shared = shared.with(ConfigKeys.REGISTRY_AUTO_REGISTER, shared.string(ConfigKeys.REGISTRY_AUTO_REGISTER, "true"));
        }
        urls.put("registry", registryUrl);
        shared = shared.with(ConfigKeys.REGISTRY_URL, registryUrl);

        writer = track(WriterApp.start(WriterConfig.from(shared.with(ConfigKeys.HTTP_PORT, Integer.toString(config.writerPort())))));
        urls.put("index-writer", "http://" + host + ":" + writer.port());

        for (Map.Entry<String, Integer> colo : config.colos().entrySet()) {
            Settings coloSettings = shared.with(Map.of(
                    ConfigKeys.COLO, colo.getKey(),
                    ConfigKeys.HTTP_PORT, Integer.toString(colo.getValue()),
                    ConfigKeys.STATE_DIR, config.dataDir().resolve("colos").resolve(colo.getKey()).toString()));
            // The colo owns its emitter and closes it; until the colo has started, we do.
            UsageRecorder emitter = KafkaUsageEmitter.fromSettings(coloSettings);
            ColoServer server;
            try {
                server = ColoServer.start(ColoConfig.from(coloSettings), emitter);
            } catch (RuntimeException e) {
                emitter.close();
                throw e;
            }
            track(server);
            colos.put(colo.getKey(), server);
            urls.put("lookup-api " + colo.getKey(), "http://" + host + ":" + server.port());
        }
        // The writer's status page shows every colo; only now are their ports known (an explicit
        // writer.colo.urls wins).
        if (writer.statusPage().coloUrls().isEmpty()) {
            writer.statusPage().coloUrls(coloUrls());
        }

        if (config.runSink()) {
            UsageSink sink = track(UsageSink.start(SinkConfig.from(shared.with(Map.of(
                    ConfigKeys.SINK_HTTP_PORT, Integer.toString(config.sinkPort()),
                    ConfigKeys.STATE_DIR, config.dataDir().resolve("sink").toString())))));
            urls.put("usage-log-sink", "http://" + host + ":" + sink.port());
        }
    }

    /** Component name → URL (bootstrap address for Kafka), in start order. */
    public Map<String, String> urls() {
        return urls;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The bearer tokens the stack runs with; empty when auth is disabled. */
    public Optional<Credentials> credentials() {
        return Optional.ofNullable(credentials);
    }

    public String writerUrl() {
        return urls.get("index-writer");
    }

    /** Colo code → its lookup-api URL, in start order. */
    public Map<String, String> coloUrls() {
        Map<String, String> coloUrls = new LinkedHashMap<>();
        colos.keySet().forEach(code -> coloUrls.put(code, urls.get("lookup-api " + code)));
        return coloUrls;
    }

    public Map<String, ColoServer> colos() {
        return colos;
    }

    @Override
    public synchronized void close() {
        closed = true;
        while (!started.isEmpty()) {
            AutoCloseable component = started.pop();
            try {
                component.close();
            } catch (Exception e) {
                LOG.warn("error stopping {}", component.getClass().getSimpleName(), e);
            }
        }
    }
}
