package io.tenantindex.lookup;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tenantindex.colo.ColoChanges;
import io.tenantindex.colo.RebuildableReplica;
import io.tenantindex.common.ShutdownBudget;
import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.feed.ChangeFeed;
import io.tenantindex.common.feed.ChangeRing;
import io.tenantindex.common.http.HttpServers;
import io.tenantindex.common.metrics.ServiceMetrics;
import io.tenantindex.lookup.usage.KafkaUsageEmitter;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One colo process: the replica (Kafka Streams + RocksDB, rebuildable blue/green) and the lookup API over it, in one
 * JVM because interactive queries need the store in-process.
 *
 * <p>Run: {@code java -Xmx512m -cp … io.tenantindex.lookup.ColoServer --colo ORD --http-port 8081
 * --bootstrap-servers 127.0.0.1:9092 --registry-url http://127.0.0.1:8085 --state-dir data/state}
 * (every flag also as {@code TENANT_INDEX_*} env). The launcher calls {@link #start(ColoConfig, UsageRecorder)}.
 */
public final class ColoServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ColoServer.class);

    private final ColoConfig config;
    private final RebuildableReplica replica;
    private final UsageRecorder usage;
    private final Javalin http;
    private final ChangeFeed feed;
    private final PrometheusMeterRegistry metrics;

    private ColoServer(ColoConfig config, RebuildableReplica replica, UsageRecorder usage, Javalin http, ChangeFeed feed,
                       PrometheusMeterRegistry metrics) {
        this.config = config;
        this.replica = replica;
        this.usage = usage;
        this.http = http;
        this.feed = feed;
        this.metrics = metrics;
    }

    /**
     * Starts the colo's replica and its HTTP endpoint; returns once the port is bound (readiness
     * follows, see {@link #isReady()}). The server owns {@code usage} and closes it on {@link #close()}.
     */
    public static ColoServer start(ColoConfig config, UsageRecorder usage) {
        return start(config, CompletableFuture.completedFuture(usage));
    }

    /** As {@link #start(ColoConfig, UsageRecorder)} with a recorder still starting: its clients connect while the replica opens. */
    private static ColoServer start(ColoConfig config, CompletableFuture<UsageRecorder> usage) {
        RebuildableReplica replica;
        ChangeRing changes = new ChangeRing(config.materializer().topics().indexPartitions(), config.feed().ringCapacity());
        try {
            replica = RebuildableReplica.start(config.materializer(), new HttpSchemaRegistryClient(config.registry()), changes);
        } catch (RuntimeException e) {
            usage.thenAccept(UsageRecorder::close);
            throw e;
        }
        try {
            PrometheusMeterRegistry metrics = ServiceMetrics.create("lookup-api", "colo", config.colo());
            replica.bindMetrics(metrics);
            LookupRoutes routes = new LookupRoutes(replica, replica, usage.join(), config, metrics);
            ChangeFeed feed = new ChangeFeed(new ColoFeedSource(replica, config.materializer().indexTopic()), changes,
                    ColoChanges.history(config.materializer(), new HttpSchemaRegistryClient(config.registry()), replica),
                    config.feed(), metrics);
            Javalin http = HttpServers.create(HttpServers.DEFAULT_MAX_BODY_BYTES, c -> {
                // A lookup's answer is ~300 bytes, below any useful compression size, yet deciding so per
                // response took ~5% of a lookup's CPU under load (JFR).
                c.http.compressionStrategy = CompressionStrategy.NONE;
                c.jetty.threadPool = httpThreadPool(config);
                routes.register(c);
                feed.register(c);
                ServiceMetrics.route(c, metrics);
            }).start(config.httpHost(), config.httpPort());
            LOG.info("colo {} lookup API on http://{}:{}", config.colo(), config.httpHost(), http.port());
            return new ColoServer(config, replica, usage.join(), http, feed, metrics);
        } catch (RuntimeException e) {
            replica.close();
            throw e;
        }
    }

    /** The lookup API's thread pool (also the bench's bare Jetty floor's, so that it is the same server). */
    public static QueuedThreadPool httpThreadPool(ColoConfig config) {
        return new QueuedThreadPool(config.httpThreads(), Math.min(8, config.httpThreads()));
    }

    public int port() {
        return http.port();
    }

    public String colo() {
        return config.colo();
    }

    public boolean isReady() {
        return replica.state().ready();
    }

    public RebuildableReplica replica() {
        return replica;
    }

    /** Records read from Kafka since start (restored + processed): small after a warm restart. */
    public long reReadRecords() {
        return replica.stats().reReadRecords();
    }

    /**
     * Stops within {@code shutdown.timeout.ms}: change feeds end with their resume token, then HTTP
     * (no new lookups, so no new usage events),
     * a quarter of the rest to flush usage events, and what is left for Streams to leave its group.
     */
    @Override
    public void close() {
        ShutdownBudget budget = ShutdownBudget.start(config.shutdownTimeout());
        feed.close();
        http.stop();
        usage.close(budget.share(0.25));
        replica.close(budget.remaining());
        metrics.close();
    }

    /** Exit code of {@link #main} for a configuration it cannot run with (bad flag, unusable state directory). */
    public static final int EXIT_CONFIG = 2;

    public static void main(String[] args) {
        ColoServer server;
        String colo;
        try {
            Settings settings = Settings.fromEnvironmentAndArgs(System.getenv(), args);
            ColoConfig config = ColoConfig.from(settings);
            colo = config.colo();
            LOG.info("colo {}: starting, JVM up for {} ms", colo, ManagementFactory.getRuntimeMXBean().getUptime());
            // An unusable state directory is a ConfigException from the replica's start: one clear line, not a stack trace.
            server = start(config, KafkaUsageEmitter.startFromSettings(settings));
        } catch (ConfigException e) {
            LOG.error("colo cannot start: {}", e.getMessage());
            System.err.println("lookup-api: cannot start: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "colo-" + colo + "-shutdown"));
    }
}
