package io.tenantindex.launcher;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The local stack's shape: where its data lives, which ports it uses, and whether it starts its
 * own broker and registry or uses existing ones. Every value has a flag and an environment
 * variable ({@code --kafka-port} / {@code TENANT_INDEX_KAFKA_PORT}, …), see {@link Settings}.
 *
 * @param brokers how many embedded brokers: 1, or a cluster (its first broker on kafkaPort) whose
 *                topics default to replication factor 3 and min.insync.replicas 2
 * @param colos colo code → lookup-api port, in start order
 */
public record LocalStackConfig(
        Path dataDir,
        String host,
        int kafkaPort,
        int brokers,
        String externalBootstrap,
        int registryPort,
        String externalRegistryUrl,
        int writerPort,
        Map<String, Integer> colos,
        int sinkPort,
        boolean runSink,
        boolean seedDemoTenants,
        Settings shared) {

    public static LocalStackConfig from(Settings settings) {
        int brokers = settings.intValue(ConfigKeys.BROKERS, 1, 1, 9);
        String externalBootstrap = settings.string(ConfigKeys.BOOTSTRAP_SERVERS, null);
        if (brokers > 1 && externalBootstrap != null) {
            throw new ConfigException(ConfigKeys.BROKERS + " starts embedded brokers; it cannot be combined with " + ConfigKeys.BOOTSTRAP_SERVERS);
        }
        Settings s = brokers > 1 ? replicatedTopics(settings, brokers) : settings;
        return new LocalStackConfig(
                s.path(ConfigKeys.DATA_DIR, Path.of(ConfigKeys.DEFAULT_DATA_DIR)),
                s.string(ConfigKeys.HTTP_HOST, "127.0.0.1"),
                s.intValue(ConfigKeys.KAFKA_PORT, 9092, 0, 65_535),
                brokers,
                externalBootstrap,
                s.intValue(ConfigKeys.REGISTRY_PORT, ConfigKeys.DEFAULT_REGISTRY_PORT, 0, 65_535),
                s.string(ConfigKeys.REGISTRY_URL, null),
                s.intValue(ConfigKeys.WRITER_PORT, ConfigKeys.DEFAULT_WRITER_PORT, 0, 65_535),
                parseColos(s.string(ConfigKeys.COLOS, ConfigKeys.DEFAULT_COLOS)),
                s.intValue(ConfigKeys.SINK_PORT, ConfigKeys.DEFAULT_SINK_PORT, 0, 65_535),
                s.bool(ConfigKeys.SINK, true),
                s.bool(ConfigKeys.SEED, true),
                s);
    }

    /**
     * On a cluster, topics are replicated: factor min(3, brokers), min.insync.replicas one less, so
     * every acknowledged write is on two brokers at least and writes go on while one broker is away.
     * Explicit settings win.
     */
    private static Settings replicatedTopics(Settings s, int brokers) {
        int replication = s.intValue(ConfigKeys.TOPIC_REPLICATION_FACTOR, Math.min(3, brokers), 1, brokers);
        int minInsync = s.intValue(ConfigKeys.TOPIC_MIN_INSYNC_REPLICAS, Math.max(1, replication - 1), 1, replication);
        return s.with(Map.of(ConfigKeys.TOPIC_REPLICATION_FACTOR, Integer.toString(replication),
                ConfigKeys.TOPIC_MIN_INSYNC_REPLICAS, Integer.toString(minInsync)));
    }

    /** {@code ORD:8081,SIN:8082} → ordered map. */
    static Map<String, Integer> parseColos(String spec) {
        Map<String, Integer> colos = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split(":");
            if (kv.length != 2) {
                throw new ConfigException("colos must look like ORD:8081,SIN:8082, got '" + spec + "'");
            }
            try {
                colos.put(kv[0].trim().toUpperCase(Locale.ROOT), Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new ConfigException("colo port must be a number in '" + part + "'");
            }
        }
        if (colos.isEmpty()) {
            throw new ConfigException("at least one colo is needed");
        }
        return colos;
    }
}
