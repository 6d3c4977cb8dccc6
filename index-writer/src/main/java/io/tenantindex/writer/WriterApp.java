package io.tenantindex.writer;

import io.javalin.Javalin;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tenantindex.common.ShutdownBudget;
import io.tenantindex.common.api.WriterHealth;
import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.feed.ChangeFeed;
import io.tenantindex.common.feed.ChangeRing;
import io.tenantindex.common.http.ClasspathResources;
import io.tenantindex.common.http.HttpServers;
import io.tenantindex.common.metrics.ServiceMetrics;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.serde.ConfluentAvroDeserializer;
import io.tenantindex.writer.status.StatusPage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index-writer process: creates the topics if needed, replays the index topic into its view,
 * then joins the election of its writer id ({@link WriterElection}). The elected writer claims the
 * transactional.id (fencing any older primary) and accepts writes over HTTP; the others are hot
 * standbys that tail the topic and redirect writes to it. The HTTP server is up from the first
 * moment so that /health can say "loading".
 *
 * <p>Run: {@code java -Xmx1g -cp … io.tenantindex.writer.WriterApp --bootstrap-servers host:9092
 * --registry-url http://host:8085 --http-port 8080} (every flag also as TENANT_INDEX_* env var).
 */
public final class WriterApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriterApp.class);

    private final WriterConfig config;
    private final Admin admin;
    private final TenantView view;
    private final IndexWriter writer;
    // null when writer.election.enabled=false: this writer then claims the lead at start.
    private final WriterElection election;
    private final String advertisedUrl;
    private final ReplicaMonitor replicaMonitor;
    private final Javalin http;
    private final ChangeFeed feed;
    private final PrometheusMeterRegistry metrics;
    private volatile KafkaClientMetrics producerMetrics;
    private volatile String status = "LOADING";
    // Status page (GET /status, /status.json) and the recent-changes ring it shows: io.tenantindex.writer.status.
    private final StatusPage statusPage;

    private WriterApp(WriterConfig config) {
        this.config = config;
        this.admin = Admin.create(config.kafka().clientProperties());
        TopicAdmin.ensureTopics(admin, List.of(config.topics().index(), config.topics().usage(), config.topics().writerLeader()));
        int partitions = TopicAdmin.partitionCount(admin, config.topics().indexTopic());
        if (partitions != config.topics().indexPartitions()) {
            admin.close();
            throw TopicAdmin.partitionCountChanged("index-writer is configured (" + ConfigKeys.INDEX_PARTITIONS + ") for",
                    config.topics().indexPartitions(), config.topics().indexTopic(), partitions);
        }
        SchemaRegistryClient registry = new HttpSchemaRegistryClient(config.registry());
        ChangeRing changes = new ChangeRing(partitions, config.feed().ringCapacity());
        this.view = new TenantView(partitions, changes);
        this.metrics = ServiceMetrics.create("index-writer", "writer_id", config.writerId());
        this.writer = new IndexWriter(config.topics().indexTopic(), view, () -> instrumented(producer(config)),
                new RegistrationEncoder(registry, config.registry().autoRegister(), config.topics().indexTopic()),
                new TopicReplay(config.kafka(), config.topics().indexTopic(),
                        ConfluentAvroDeserializer.specific(registry, TenantRegistration.getClassSchema())),
                config.maxBatch(), System::currentTimeMillis);
        this.replicaMonitor = new ReplicaMonitor(admin, new GroupActivity(config.kafka(), Duration.ofSeconds(30)), config.topics().indexTopic());
        bindMetrics();
        this.statusPage = new StatusPage(config.status(), this::health);
        WriterRoutes routes = new WriterRoutes(config, writer, () -> "UP".equals(status), this::leader, view, replicaMonitor, this::health,
                statusPage.changes(), Timer.builder("tenant_index_write_latency")
                .description("HTTP write received → committed to Kafka").publishPercentileHistogram()
                .register(metrics));
        this.feed = new ChangeFeed(new WriterFeedSource(config.topics().indexTopic(), view, () -> "UP".equals(status)), changes,
                WriterFeedSource.history(config.kafka(), config.topics().indexTopic(),
                        ConfluentAvroDeserializer.specific(registry, TenantRegistration.getClassSchema()), admin),
                config.feed(), metrics);
        this.http = HttpServers.create(config.maxBodyBytes(), c -> {
            routes.register(c);
            feed.register(c);
            ServiceMetrics.route(c, metrics);
            statusPage.register(c);
            ClasspathResources.openApi(c, "openapi/index-writer.json");
        }).start(config.httpHost(), config.httpPort());
        this.advertisedUrl = config.advertisedUrl(http.port());
        this.election = config.election()
                ? new WriterElection(config.kafka(), admin, config.topics().writerLeader().name(), config.writerId(),
                        config.electionSessionTimeout(), advertisedUrl, writer)
                : null;
    }

    /**
     * Starts the writer and returns once it is caught up with the topic and either accepting writes
     * or, with the election, a standby of another writer.
     */
    public static WriterApp start(WriterConfig config) {
        WriterApp app = new WriterApp(config);
        try {
            app.writer.start();
            app.settle();
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
        app.status = "UP";
        LOG.info("index-writer '{}' up on port {} as {}: {} tenants in {}", config.writerId(), app.port(),
                app.writer.role(), app.view.size(), config.topics().indexTopic());
        return app;
    }

    /** Joins the election (or claims the lead without one) and waits until this writer knows its role. */
    private void settle() {
        Duration patience = config.kafkaTimeout().plus(config.electionSessionTimeout().multipliedBy(2));
        if (election == null) {
            writer.lead();
        } else {
            election.start();
            await(election.firstAssignment(), patience, "the writer election");
            if (!election.holding()) {
                return;
            }
        }
        await(writer.settled(), patience, "claiming the transactional id");
    }

    private static void await(CompletableFuture<?> future, Duration patience, String what) {
        try {
            future.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not finish within " + patience, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what, e);
        }
    }

    /** Values are encoded by the writer itself (it digests the bytes it sends). */
    private static Producer<String, byte[]> producer(WriterConfig config) {
        return new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer());
    }

    /** The writer's transactional producer settings; public so the bench's Kafka floors use exactly these. */
    public static Properties producerProperties(WriterConfig config) {
        Properties p = config.kafka().clientProperties();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        // A broker that is away fails a write after writer.kafka.timeout.ms (retrying inside it, so a
        // quick broker restart is invisible), and never blocks the writer thread for longer.
        long timeout = config.kafkaTimeout().toMillis();
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeout));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(500, timeout / 3)));
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
        return p;
    }

    private void bindMetrics() {
        IndexWriter.WriterStats s = writer.stats();
        Map.of("committed", s.committed, "rejected", s.rejected, "failed", s.failed).forEach((result, counter) ->
                FunctionCounter.builder("tenant_index_writes", counter, AtomicLong::get)
                        .description("Writes by outcome: committed, rejected (precondition, not found) or failed (Kafka)")
                        .tag("result", result).register(metrics));
        FunctionCounter.builder("tenant_index_transactions", s.transactions, AtomicLong::get)
                .description("Kafka transactions committed (group commits)").register(metrics);
        Gauge.builder("tenant_index_tenants", view, TenantView::size).description("Registered tenants").register(metrics);
        Gauge.builder("tenant_index_writer_fenced", writer, w -> w.role() == IndexWriter.Role.FENCED ? 1 : 0)
                .description("1 while another writer with the same id has fenced this one").register(metrics);
        for (IndexWriter.Role role : IndexWriter.Role.values()) {
            Gauge.builder("tenant_index_writer_role", writer, w -> w.role() == role ? 1 : 0)
                    .description("1 for this writer's current role: ACTIVE, STANDBY or FENCED").tag("role", role.name())
                    .register(metrics);
        }
    }

    /** Binds the producer's own metrics; a recovered producer replaces the previous binding. */
    private Producer<String, byte[]> instrumented(Producer<String, byte[]> producer) {
        KafkaClientMetrics previous = producerMetrics;
        if (previous != null) {
            previous.close();
        }
        producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(metrics);
        return producer;
    }

    WriterHealth health() {
        IndexWriter.Role role = writer.role();
        boolean fenced = role == IndexWriter.Role.FENCED;
        String current = fenced ? "FENCED" : status;
        IndexWriter.WriterStats s = writer.stats();
        return new WriterHealth(current, "UP".equals(current) && role == IndexWriter.Role.ACTIVE, config.writerId(),
                config.topics().indexTopic(), view.size(), fenced ? writer.fencedReason() : null,
                new WriterHealth.Writes(s.committed.get(), s.rejected.get(), s.failed.get(), s.transactions.get()),
                role.name(), role == IndexWriter.Role.ACTIVE ? advertisedUrl : leader());
    }

    /** Where a standby sends writes: the elected leader's URL, null while none is known or this writer is taking over. */
    private String leader() {
        return election == null || election.holding() ? null : election.leaderUrl();
    }

    public int port() {
        return http.port();
    }

    /** The status page; the local stack tells it where its colos listen. */
    public StatusPage statusPage() {
        return statusPage;
    }

    /** The HTTP server, for tests that check every route is documented in /openapi.json. */
    Javalin http() {
        return http;
    }

    /**
     * Stops within {@code shutdown.timeout.ms}: HTTP first, most of the rest for the writer's thread
     * and producer, then the election and the admin client.
     */
    @Override
    public void close() {
        ShutdownBudget budget = ShutdownBudget.start(config.shutdownTimeout());
        status = "STOPPING";
        feed.close();
        http.stop();
        writer.close(budget.share(0.7));
        // After the writer: a standby takes over once this writer has stopped committing.
        if (election != null) {
            election.close(budget.share(0.5));
        }
        admin.close(budget.remaining());
        metrics.close();
        LOG.info("index-writer '{}' stopped", config.writerId());
    }

    /** Exit code of {@link #main} for a configuration it cannot run with (bad flag, another partition count). */
    public static final int EXIT_CONFIG = 2;

    public static void main(String[] args) {
        WriterApp app;
        try {
            app = start(WriterConfig.from(Settings.fromEnvironmentAndArgs(System.getenv(), args)));
        } catch (ConfigException e) {
            LOG.error("index-writer cannot start: {}", e.getMessage());
            System.err.println("index-writer: cannot start: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "index-writer-shutdown"));
    }
}
