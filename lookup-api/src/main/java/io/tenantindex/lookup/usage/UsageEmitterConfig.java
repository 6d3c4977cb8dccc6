package io.tenantindex.lookup.usage;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.schemas.registry.RegistryClientConfig;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a colo emits usage events, parsed once from {@link Settings}. The colo and the topic come
 * from the shared keys ({@code colo}, {@code usage.topic}, …), the emitter's own are the
 * {@code usage.emitter.*} keys of {@link ConfigKeys} (flag {@code --usage-emitter-buffer-size}, env
 * {@code TENANT_INDEX_USAGE_EMITTER_BUFFER_SIZE}, …).
 */
public record UsageEmitterConfig(
        KafkaSettings kafka,
        TopicsConfig topics,
        String colo,
        RegistryClientConfig registry,
        int bufferSize,
        Duration linger,
        String compressionType,
        Duration maxBlock,
        Duration closeTimeout) {


    public static final int DEFAULT_BUFFER_SIZE = 65_536;
    /**
     * The usage topic's partitions split every linger's events into one batch each, and the
     * producer's sender and the broker pay per request and per batch: at 20 ms a busy colo's batches
     * held a few dozen events. A usage event is aggregated per minute, so a tenth of a second is free.
     */
    public static final long DEFAULT_LINGER_MS = 100;
    /**
     * Uncompressed: the broker validates a compressed batch by decompressing it, and the producer
     * allocates two 64 KB lz4 block buffers per batch; both cost more CPU per event than the bytes
     * they save on loopback. A deployment short of disk for the usage topic can choose lz4 or zstd.
     */
    public static final String DEFAULT_COMPRESSION_TYPE = "none";
    private static final Set<String> COMPRESSION_TYPES = Set.of("none", "lz4", "zstd", "snappy", "gzip");

    public UsageEmitterConfig {
        if (colo == null || colo.isBlank()) {
            throw new IllegalArgumentException("colo is required");
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be at least 1");
        }
        if (!COMPRESSION_TYPES.contains(compressionType)) {
            throw new ConfigException(ConfigKeys.USAGE_EMITTER_COMPRESSION_TYPE + " must be one of " + new TreeSet<>(COMPRESSION_TYPES)
                    + ", got '" + compressionType + "'");
        }
    }

    /** With {@link #DEFAULT_COMPRESSION_TYPE}. */
    public UsageEmitterConfig(KafkaSettings kafka, TopicsConfig topics, String colo, RegistryClientConfig registry, int bufferSize,
            Duration linger, Duration maxBlock, Duration closeTimeout) {
        this(kafka, topics, colo, registry, bufferSize, linger, DEFAULT_COMPRESSION_TYPE, maxBlock, closeTimeout);
    }

    public static UsageEmitterConfig from(Settings s) {
        return new UsageEmitterConfig(
                KafkaSettings.from(s),
                TopicsConfig.from(s),
                s.required(ConfigKeys.COLO),
                RegistryClientConfig.from(s),
                s.intValue(ConfigKeys.USAGE_EMITTER_BUFFER_SIZE, DEFAULT_BUFFER_SIZE, 1, 16_777_216),
                Duration.ofMillis(s.longValue(ConfigKeys.USAGE_EMITTER_LINGER_MS, DEFAULT_LINGER_MS, 0, 10_000)),
                s.string(ConfigKeys.USAGE_EMITTER_COMPRESSION_TYPE, DEFAULT_COMPRESSION_TYPE),
                Duration.ofMillis(s.longValue(ConfigKeys.USAGE_EMITTER_MAX_BLOCK_MS, 10_000, 0, 600_000)),
                Duration.ofMillis(s.longValue(ConfigKeys.USAGE_EMITTER_CLOSE_TIMEOUT_MS, 5_000, 0, 600_000)));
    }

    public String topic() {
        return topics.usageTopic();
    }
}
