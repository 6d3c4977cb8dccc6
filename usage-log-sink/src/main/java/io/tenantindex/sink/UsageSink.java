package io.tenantindex.sink;

import io.javalin.Javalin;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tenantindex.common.ShutdownBudget;
import io.tenantindex.common.api.SinkStats;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.config.StateDirectories;
import io.tenantindex.common.http.HttpServers;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.common.metrics.ServiceMetrics;
import io.tenantindex.schemas.UsageEvent;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.serde.AvroSerdes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage-log-sink process: creates the usage topic if missing, runs the {@link UsageTopology}
 * Streams app and serves {@link UsageRoutes}. The launcher calls {@link #start(SinkConfig)};
 * {@link #main} runs it alone ({@code --bootstrap-servers … --registry-url … --sink-http-port …},
 * or the matching {@code TENANT_INDEX_*} environment variables).
 */
public final class UsageSink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsageSink.class);

    private final SinkConfig config;
    private final Admin admin;
    private final KafkaStreams streams;
    private final EventLog events;
    private final RetryingEventDeserializer decoder;
    private final Javalin http;
    private final PrometheusMeterRegistry metrics;

    private UsageSink(SinkConfig config, Admin admin, KafkaStreams streams, EventLog events, RetryingEventDeserializer decoder) {
        this.config = config;
        this.admin = admin;
        this.streams = streams;
        this.events = events;
        this.decoder = decoder;
        UsageQueries queries = new UsageQueries(g -> streams.store(
                StoreQueryParameters.fromNameAndType(g.store(), QueryableStoreTypes.<String, UsageAggregate>windowStore())));
        UsageRoutes routes = new UsageRoutes(queries, events, streams::state, this::stats);
        this.metrics = ServiceMetrics.create("usage-log-sink");
        new KafkaStreamsMetrics(streams).bindTo(metrics);
        FunctionCounter.builder("usage_sink_undecodable_events", decoder, RetryingEventDeserializer::undecodable)
                .description("Usage events skipped because they cannot be decoded").register(metrics);
        FunctionCounter.builder("usage_sink_registry_retries", decoder, RetryingEventDeserializer::registryRetries)
                .description("Decoding attempts that found the schema registry unavailable and were retried").register(metrics);
        this.http = HttpServers.create(HttpServers.DEFAULT_MAX_BODY_BYTES, c -> {
            routes.register(c);
            ServiceMetrics.route(c, metrics);
        }).start(config.httpHost(), config.httpPort());
    }

    public static UsageSink start(SinkConfig config) {
        StateDirectories.requireUsable(config.stateDir());
        Admin admin = Admin.create(config.kafka().clientProperties());
        KafkaStreams streams = null;
        EventLog events = null;
        RetryingEventDeserializer decoder = null;
        try {
            TopicAdmin.ensureTopics(admin, List.of(config.topics().usage()));
            SchemaRegistryClient registry = new HttpSchemaRegistryClient(config.registry());
            Serde<UsageEvent> eventSerde = AvroSerdes.specificValue(registry, UsageEvent.getClassSchema(), false);
            decoder = new RetryingEventDeserializer(eventSerde.deserializer(), config.registryPatience());
            Topology topology = UsageTopology.buildTopology(new StreamsBuilder(), config.topics().usageTopic(),
                    Serdes.serdeFrom(eventSerde.serializer(), decoder), config.grace(), config.windowRetention());
            streams = new KafkaStreams(topology, UsageTopology.getStreamsConfig(config));
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("usage sink stream thread failed; replacing it", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            streams.start();
            events = new EventLog(config.kafka(), config.topics().usageTopic(), eventSerde.deserializer(),
                    config.eventsMaxScan(), config.eventReaders());
            UsageSink sink = new UsageSink(config, admin, streams, events, decoder);
            LOG.info("usage-log-sink {} on http://{}:{} reading {}", config.applicationId(), config.httpHost(), sink.port(),
                    config.topics().usageTopic());
            return sink;
        } catch (RuntimeException e) {
            if (events != null) {
                events.close();
            }
            if (decoder != null) {
                decoder.stop();
            }
            if (streams != null) {
                closeStreams(streams, config.shutdownTimeout());
            }
            admin.close(config.shutdownTimeout());
            throw e;
        }
    }

    public int port() {
        return http.port();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * What {@code GET /stats} shows: the Streams state, events processed and dropped (late beyond
     * the grace period or undecodable) since this process started, of those the undecodable ones,
     * decoding attempts retried because the registry was unavailable, and the consumer lag.
     */
    SinkStats stats() {
        return new SinkStats(config.applicationId(), config.topics().usageTopic(), streams.state().name(),
                (long) metricSum("process-total", "stream-thread-metrics"),
                (long) metricSum("dropped-records-total", "stream-task-metrics"), decoder.undecodable(),
                decoder.registryRetries(), decoder.waitingForRegistry(), lag(), config.grace().toMillis(),
                config.windowRetention().toMillis());
    }

    private double metricSum(String name, String group) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals(group)
                    && e.getValue().metricValue() instanceof Number n && Double.isFinite(n.doubleValue())) {
                sum += n.doubleValue();
            }
        }
        return sum;
    }

    /** End offsets minus the app's committed offsets, summed over partitions; -1 if Kafka cannot say. */
    private long lag() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(config.applicationId())
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> ends = TopicAdmin.endOffsets(admin, config.topics().usageTopic());
            Map<TopicPartition, Long> positions = new HashMap<>();
            committed.forEach((tp, om) -> positions.put(tp, om == null ? 0L : om.offset()));
            long lag = 0;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                lag += Math.max(0, end.getValue() - positions.getOrDefault(end.getKey(), 0L));
            }
            return lag;
        } catch (ExecutionException | RuntimeException e) {
            LOG.debug("cannot compute lag", e);
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * Stops HTTP first, ends any wait for the registry (the event stays uncommitted), then leaves
     * the consumer group so a restart is not held up by the session timeout.
     */
    @Override
    public void close() {
        ShutdownBudget budget = ShutdownBudget.start(config.shutdownTimeout());
        http.stop();
        events.close();
        decoder.stop();
        closeStreams(streams, budget.share(0.8));
        admin.close(budget.remaining());
        metrics.close();
    }

    private static void closeStreams(KafkaStreams streams, Duration within) {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(within));
    }

    public static void main(String[] args) throws InterruptedException {
        Settings settings = Settings.fromEnvironmentAndArgs(System.getenv(), args);
        UsageSink sink = start(SinkConfig.from(settings));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sink.close();
            stopped.countDown();
        }, "usage-sink-shutdown"));
        stopped.await();
    }
}
