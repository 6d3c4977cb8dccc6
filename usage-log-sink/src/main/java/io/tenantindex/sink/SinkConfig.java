package io.tenantindex.sink;

import io.tenantindex.common.ShutdownBudget;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.schemas.registry.RegistryClientConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the usage-log-sink needs, parsed once from {@link Settings} and validated (a bad value
 * fails at start naming its key). Its keys are in {@link ConfigKeys}: the shared ones (bootstrap,
 * topics, registry, state dir, http host) and its own, all prefixed {@code sink.} so one launcher
 * can configure every service from one Settings (flag {@code --sink-http-port}, env
 * {@code TENANT_INDEX_SINK_HTTP_PORT}, …).
 */
public record SinkConfig(
        KafkaSettings kafka,
        TopicsConfig topics,
        RegistryClientConfig registry,
        String applicationId,
        Path stateDir,
        String httpHost,
        int httpPort,
        Duration grace,
        int streamThreads,
        Duration commitInterval,
        long cacheMaxBytes,
        long rocksDbMemoryBytes,
        int eventsMaxScan,
        int eventReaders,
        Duration registryPatience,
        Duration shutdownTimeout) {


    public static final String DEFAULT_APPLICATION_ID = "tenant-index-usage-sink";
    public static final int DEFAULT_HTTP_PORT = ConfigKeys.DEFAULT_SINK_PORT;

    public static final Duration MINUTE = Duration.ofMinutes(1);
    public static final Duration HOUR = Duration.ofHours(1);

    public SinkConfig {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative");
        }
    }

    public static SinkConfig from(Settings s) {
        return new SinkConfig(
                KafkaSettings.from(s),
                TopicsConfig.from(s),
                RegistryClientConfig.from(s),
                s.string(ConfigKeys.SINK_APPLICATION_ID, DEFAULT_APPLICATION_ID),
                s.path(ConfigKeys.STATE_DIR, Path.of(System.getProperty("java.io.tmpdir"), "tenant-index-state")),
                s.string(ConfigKeys.HTTP_HOST, "127.0.0.1"),
                s.intValue(ConfigKeys.SINK_HTTP_PORT, DEFAULT_HTTP_PORT, 0, 65_535),
                Duration.ofMillis(s.longValue(ConfigKeys.SINK_GRACE_MS, Duration.ofMinutes(5).toMillis(), 0, Duration.ofDays(1).toMillis())),
                s.intValue(ConfigKeys.SINK_STREAM_THREADS, 1, 1, 64),
                Duration.ofMillis(s.longValue(ConfigKeys.SINK_COMMIT_INTERVAL_MS, 200, 10, 60_000)),
                s.longValue(ConfigKeys.SINK_CACHE_MAX_BYTES, 10L << 20, 0, 1L << 34),
                s.longValue(ConfigKeys.SINK_ROCKSDB_MEMORY_BYTES, 64L << 20, 8L << 20, 1L << 36),
                s.intValue(ConfigKeys.SINK_EVENTS_MAX_SCAN, 20_000, 100, 10_000_000),
                s.intValue(ConfigKeys.SINK_EVENT_READERS, 4, 1, 64),
                // At most 4 min: a wait must end within the consumer's max.poll.interval.ms (5 min).
                Duration.ofMillis(s.longValue(ConfigKeys.SINK_REGISTRY_PATIENCE_MS, 60_000, 1_000, 240_000)),
                ShutdownBudget.from(s));
    }

    /**
     * How long windows are kept: as long as the topic keeps the events they summarise, but at
     * least one hour window plus the grace period (Kafka Streams refuses anything shorter).
     */
    public Duration windowRetention() {
        Duration minimum = HOUR.plus(grace);
        Duration topic = Duration.ofMillis(topics.usageRetentionMs());
        return topic.compareTo(minimum) < 0 ? minimum : topic;
    }
}
