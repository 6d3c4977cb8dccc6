package io.tenantindex.colo;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.feed.ChangeRing;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The colo's Kafka Streams topology and its configuration, kept apart from wiring so that tests
 * can use both directly (TopologyTestDriver, no broker).
 *
 * <pre>
 * tenant-index ──▶ KTable (RocksDB store {@value #STORE}, the topic itself is its changelog; puts digested)
 *                    └─ toStream ──▶ apply-tracker ──(poison only)──▶ dead-letter topic
 * </pre>
 */
public final class ColoTopology {
    /** Also the directory of the store's RocksDB files in each task's state, which the bench opens read-only. */
    public static final String STORE = "tenant-index-store";

    private ColoTopology() {
    }

    static Properties getStreamsConfig(MaterializerConfig config) {
        Properties props = config.kafka().clientProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.CLIENT_ID_CONFIG, config.applicationId());
        // Static membership: an instance restarted after a crash takes its place in its group back at
        // once instead of waiting for its old session to expire. The group is the instance's own.
        if (config.staticMembership()) {
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.applicationId());
        }
        // Exactly-once: the DLQ write and the offset commit are one transaction, and the main
        // consumer reads committed data only (a fenced or aborted writer never shows up in a colo).
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Source-topic reuse: the index topic is the store's changelog (no second copy of the
        // index, restores read the compacted topic). Only applied with builder.build(props).
        props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, SharedBlockCache.class);
        props.put(ConfigKeys.COLO_ROCKSDB_BLOCK_CACHE_BYTES, Long.toString(config.blockCacheBytes()));
        // No record cache: every update reaches the position tracker as soon as it is in the store.
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        // EOS already sets the consumers to read_committed; 100 ms commits keep DLQ writes and
        // offsets moving without long-open transactions (must stay below transaction.timeout.ms).
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // Each task reads one partition, so there is no other input to wait for. Idling disabled (-1),
        // a task with nothing buffered is skipped at once; at the default (0) Kafka Streams 4.3.1
        // formats debug strings (String.format) for it on every pass of the stream thread's loop,
        // which was about a tenth of a colo's stream-thread CPU in the profiles.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // Opt in to the Kafka 5.0 default now (no global stores here; it only silences a warning).
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return props;
    }

    /** Builds the topology on {@code builder}; {@code props} must be the ones from {@link #getStreamsConfig}. */
    static Topology buildTopology(StreamsBuilder builder, Properties props, MaterializerConfig config,
                                  IndexRecordSerde valueSerde, AppliedPositions positions, PoisonRecords poison,
                                  LiveStores liveStores, ContentDigests digests, ChangeRing changes) {
        KTable<String, IndexRecord> table = builder.table(config.indexTopic(),
                Consumed.with(Serdes.String(), valueSerde).withName("index-source"),
                Materialized.<String, IndexRecord>as(DigestingStore.supplier(STORE, digests))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(valueSerde.stored())
                        .withCachingDisabled());
        table.toStream(Named.as("index-changes"))
                .process(() -> new ApplyProcessor(positions, poison, config.dlqTopic(), config.colo(), liveStores, digests, changes),
                        Named.as("apply-tracker"), STORE)
                .to(config.dlqTopic(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("dead-letters"));
        return builder.build(props);
    }
}
