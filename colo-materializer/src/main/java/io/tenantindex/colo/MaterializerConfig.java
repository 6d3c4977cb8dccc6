package io.tenantindex.colo;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.common.kafka.TopicsConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Everything one colo's materializer needs, parsed once and immutable. Converted to Kafka Streams
 * {@code Properties} only in {@link ColoTopology#getStreamsConfig(MaterializerConfig)}.
 *
 * @param colo         upper-case colo code (ORD, SIN, …); part of the application id
 * @param instanceId   this instance's stable name within its colo; part of the application id, so
 *                     every instance is a consumer group, a state directory and a full replica of its own
 * @param appIdSuffix  optional suffix of the application id ("" = none)
 * @param stateDir     Kafka Streams state directory (RocksDB lives under it, per application id)
 * @param dlqTopic     where undecodable records go
 * @param staticMembership whether its stream threads join with a {@code group.instance.id}
 * @param rebuildTimeout how long a blue/green rebuild may take to catch up before it has failed
 * @param answerCacheBytes heap for the stored values of recently read tenants ({@link AnswerCache}), 0 = none
 * @param streamThreads Kafka Streams threads; each restores its partitions on a state-updater thread of its own
 * @param blockCacheBytes the RocksDB block cache every colo store of the JVM shares ({@link SharedBlockCache})
 */
public record MaterializerConfig(
        String colo,
        String instanceId,
        String appIdSuffix,
        KafkaSettings kafka,
        TopicsConfig topics,
        Path stateDir,
        String dlqTopic,
        Duration refreshInterval,
        boolean staticMembership,
        Duration rebuildTimeout,
        long answerCacheBytes,
        int streamThreads,
        long blockCacheBytes) {

    public static final String APPLICATION_ID_PREFIX = "tenant-index-colo-";
    private static final Pattern COLO = Pattern.compile("[A-Z0-9]{2,16}");
    private static final Pattern SUFFIX = Pattern.compile("[A-Za-z0-9._-]{0,64}");
    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** What a generation appends ({@code -g<N>}): an instance named so would own another instance's generations. */
    private static final Pattern GENERATION_LIKE = Pattern.compile(".*-g\\d+");

    public MaterializerConfig {
        if (!COLO.matcher(colo).matches()) {
            throw new ConfigException("colo must be 2–16 upper-case letters or digits, got '" + colo + "'");
        }
        if (!SUFFIX.matcher(appIdSuffix).matches()) {
            throw new ConfigException(ConfigKeys.COLO_APP_ID_SUFFIX + " may only contain [A-Za-z0-9._-], got '" + appIdSuffix + "'");
        }
        if (!INSTANCE.matcher(instanceId).matches() || GENERATION_LIKE.matcher(instanceId).matches()) {
            throw new ConfigException(ConfigKeys.INSTANCE_ID + " must be 1–128 of [A-Za-z0-9._-] and not end in -g<digits>, got '"
                    + instanceId + "'");
        }
    }

    public static MaterializerConfig from(Settings s) {
        String colo = s.required(ConfigKeys.COLO).toUpperCase(Locale.ROOT);
        TopicsConfig topics = TopicsConfig.from(s);
        return new MaterializerConfig(
                colo,
                s.has(ConfigKeys.INSTANCE_ID) ? s.required(ConfigKeys.INSTANCE_ID) : hostName(),
                s.string(ConfigKeys.COLO_APP_ID_SUFFIX, ""),
                KafkaSettings.from(s),
                topics,
                s.path(ConfigKeys.STATE_DIR, Path.of("data", "state")),
                s.string(ConfigKeys.COLO_DLQ_TOPIC, DeadLetterTopic.defaultName(topics.indexTopic(), colo)),
                Duration.ofMillis(s.longValue(ConfigKeys.COLO_REFRESH_INTERVAL_MS, 1000, 50, 60_000)),
                s.bool(ConfigKeys.COLO_STATIC_MEMBERSHIP, true),
                Duration.ofMillis(s.longValue(ConfigKeys.COLO_REBUILD_TIMEOUT_MS, 1_800_000, 1, 7 * 24 * 3_600_000L)),
                s.longValue(ConfigKeys.COLO_ANSWER_CACHE_BYTES, 192L << 20, 0, Long.MAX_VALUE),
                s.intValue(ConfigKeys.COLO_STREAM_THREADS, 1, 1, 64),
                s.longValue(ConfigKeys.COLO_ROCKSDB_BLOCK_CACHE_BYTES, 64L << 20, 1L << 20, 1L << 40));
    }

    /**
     * {@code tenant-index-colo-<COLO>-<instance>[-<suffix>]}: the Streams application id and consumer
     * group, and the name of the instance's state under {@code state.dir}.
     */
    public String applicationId() {
        return APPLICATION_ID_PREFIX + colo + "-" + instanceId + (appIdSuffix.isEmpty() ? "" : "-" + appIdSuffix);
    }

    /** The same colo under replica generation {@code generation} (0 = the original application id). */
    public MaterializerConfig withGeneration(long generation) {
        if (generation == 0) {
            return this;
        }
        String g = "g" + generation;
        return new MaterializerConfig(colo, instanceId, appIdSuffix.isEmpty() ? g : appIdSuffix + "-" + g, kafka, topics,
                stateDir, dlqTopic, refreshInterval, staticMembership, rebuildTimeout, answerCacheBytes, streamThreads, blockCacheBytes);
    }

    /** The default instance id: a host name is stable across restarts of a machine or pod and unique among its peers. */
    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env;
            }
            throw new ConfigException("cannot tell this host's name (" + e.getMessage() + "); set " + ConfigKeys.INSTANCE_ID);
        }
    }

    public String indexTopic() {
        return topics.indexTopic();
    }

    public TopicSpec dlqSpec() {
        return DeadLetterTopic.spec(dlqTopic, topics);
    }
}
