package io.tenantindex.sink;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.schemas.UsageEvent;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The sink's Kafka Streams application, kept apart from {@code main}: {@link #getStreamsConfig}
 * gives the config, {@link #buildTopology} the graph (tests drive it with TopologyTestDriver).
 * Events are grouped by their key (the tenant id, so no repartition) and aggregated into two
 * RocksDB window stores, per minute and per hour, windowed by the lookup's own timestamp. Events
 * later than the grace period are dropped by Streams and show up in its dropped-records metric.
 */
public final class UsageTopology {
    public static final String MINUTE_STORE = "usage-per-minute";
    public static final String HOUR_STORE = "usage-per-hour";

    private UsageTopology() {
    }

    public static Properties getStreamsConfig(SinkConfig config) {
        Properties props = config.kafka().clientProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        // Under EOS every commit is a transaction: this is also how stale the served aggregates may be.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, config.cacheMaxBytes());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.topics().replicationFactor());
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
        props.put(ConfigKeys.SINK_ROCKSDB_MEMORY_BYTES, Long.toString(config.rocksDbMemoryBytes()));
        // A record we cannot decode is skipped and counted (dropped-records), not a crash loop; one
        // the registry could not help decode is retried, never skipped.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, UndecodableEventHandler.class);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        return props;
    }

    public static Topology buildTopology(StreamsBuilder builder, String usageTopic, Serde<UsageEvent> eventSerde,
            Duration grace, Duration retention) {
        KGroupedStream<String, UsageEvent> byTenant = builder
                .stream(usageTopic, Consumed.with(Serdes.String(), eventSerde)
                        .withTimestampExtractor(new LookupTimeExtractor())
                        .withName("usage-events"))
                .groupByKey(Grouped.with("by-tenant", Serdes.String(), eventSerde));
        aggregate(byTenant, MINUTE_STORE, SinkConfig.MINUTE, grace, retention);
        aggregate(byTenant, HOUR_STORE, SinkConfig.HOUR, grace, retention);
        return builder.build();
    }

    private static void aggregate(KGroupedStream<String, UsageEvent> byTenant, String store, Duration size,
            Duration grace, Duration retention) {
        byTenant.windowedBy(TimeWindows.ofSizeAndGrace(size, grace))
                .aggregate(() -> UsageAggregate.EMPTY,
                        (tenant, event, agg) -> agg.plus(event.getOutcome(), event.getLatencyMicros()),
                        Named.as(store + "-aggregate"),
                        Materialized.<String, UsageAggregate>as(Stores.persistentTimestampedWindowStore(store, retention, size, false))
                                .withKeySerde(Serdes.String())
                                .withValueSerde(new UsageAggregateSerde()));
    }

    /** Windows by when the lookup happened (the event's timestamp), not when Kafka received it. */
    static final class LookupTimeExtractor implements TimestampExtractor {
        @Override
        public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
            return record.value() instanceof UsageEvent event ? event.getTimestamp() : record.timestamp();
        }
    }
}
