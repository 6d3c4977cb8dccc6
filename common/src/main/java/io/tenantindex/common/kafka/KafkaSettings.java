package io.tenantindex.common.kafka;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * How to reach Kafka: the bootstrap servers plus any raw client settings ({@code kafka.*} keys, for
 * SASL/TLS), applied to every producer, consumer, admin and Streams client we create.
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> clientOverrides) {
    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    public KafkaSettings {
        clientOverrides = Map.copyOf(clientOverrides);
    }

    public static KafkaSettings from(Settings settings) {
        return new KafkaSettings(settings.string(ConfigKeys.BOOTSTRAP_SERVERS, DEFAULT_BOOTSTRAP),
                settings.withPrefix(ConfigKeys.KAFKA_CLIENT_PREFIX));
    }

    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, Map.of());
    }

    /** Never prints a secret: SASL JAAS configs and passwords (sasl.jaas.config, ssl.*.password) are masked. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        clientOverrides.forEach((key, value) ->
                shown.put(key, key.contains("password") || key.contains("jaas") ? "[hidden]" : value));
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", clientOverrides=" + shown + "]";
    }

    /** A fresh Properties with bootstrap servers and the overrides; callers add their own keys. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putAll(clientOverrides);
        return props;
    }
}
