package io.tenantindex.colo;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.common.kafka.TopicsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Everything one colo's materializer needs, parsed once and immutable. Converted to Kafka Streams
 * {@code Properties} only in {@link ColoTopology#getStreamsConfig(MaterializerConfig)}.
 *
 * @param colo         upper-case colo code (ORD, SIN, …); part of the application id
 * @param appIdSuffix  optional suffix of the application id ("" = none)
 * @param stateDir     Kafka Streams state directory (RocksDB lives under it, per application id)
 * @param dlqTopic     where undecodable records go
 */
public record MaterializerConfig(
        String colo,
        String appIdSuffix,
        KafkaSettings kafka,
        TopicsConfig topics,
        Path stateDir,
        String dlqTopic,
        Duration refreshInterval) {

    public static final String APPLICATION_ID_PREFIX = "tenant-index-colo-";
    private static final Pattern COLO = Pattern.compile("[A-Z0-9]{2,16}");
    private static final Pattern SUFFIX = Pattern.compile("[A-Za-z0-9._-]{0,64}");

    public MaterializerConfig {
        if (!COLO.matcher(colo).matches()) {
            throw new ConfigException("colo must be 2–16 upper-case letters or digits, got '" + colo + "'");
        }
        if (!SUFFIX.matcher(appIdSuffix).matches()) {
            throw new ConfigException(ConfigKeys.COLO_APP_ID_SUFFIX + " may only contain [A-Za-z0-9._-], got '" + appIdSuffix + "'");
        }
    }

    public static MaterializerConfig from(Settings s) {
        String colo = s.required(ConfigKeys.COLO).toUpperCase(Locale.ROOT);
        TopicsConfig topics = TopicsConfig.from(s);
        return new MaterializerConfig(
                colo,
                s.string(ConfigKeys.COLO_APP_ID_SUFFIX, ""),
                KafkaSettings.from(s),
                topics,
                s.path(ConfigKeys.STATE_DIR, Path.of("data", "state")),
                s.string(ConfigKeys.COLO_DLQ_TOPIC, DeadLetterTopic.defaultName(topics.indexTopic(), colo)),
                Duration.ofMillis(s.longValue(ConfigKeys.COLO_REFRESH_INTERVAL_MS, 1000, 50, 60_000)));
    }

    /** {@code tenant-index-colo-<COLO>[-<suffix>]}: the Streams application id and consumer group. */
    public String applicationId() {
        return APPLICATION_ID_PREFIX + colo + (appIdSuffix.isEmpty() ? "" : "-" + appIdSuffix);
    }

    /** The same colo under replica generation {@code generation} (0 = the original application id). */
    public MaterializerConfig withGeneration(long generation) {
        if (generation == 0) {
            return this;
        }
        String g = "g" + generation;
        return new MaterializerConfig(colo, appIdSuffix.isEmpty() ? g : appIdSuffix + "-" + g, kafka, topics,
                stateDir, dlqTopic, refreshInterval);
    }

    public String indexTopic() {
        return topics.indexTopic();
    }

    public TopicSpec dlqSpec() {
        return DeadLetterTopic.spec(dlqTopic, topics);
    }
}
