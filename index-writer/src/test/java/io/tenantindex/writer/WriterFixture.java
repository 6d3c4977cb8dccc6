package io.tenantindex.writer;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.testing.SharedKafka;
import java.util.HashMap;
import java.util.Map;

/** A registry per test JVM and writers on unique topics, all against the shared real broker. */
final class WriterFixture {
    private static EmbeddedSchemaRegistry registry;

    private WriterFixture() {
    }

    static synchronized String registryUrl() {
        if (registry == null) {
            KafkaSettings kafka = KafkaSettings.of(SharedKafka.bootstrapServers());
            TopicSpec schemas = TopicsConfig.from(Settings.empty()).schemas();
            registry = EmbeddedSchemaRegistry.start(kafka, schemas, "127.0.0.1", 0);
        }
        return registry.url();
    }

    /** Settings for a writer on a fresh topic of {@code partitions} partitions (0: the default). */
    static Settings settings(String topic, int partitions, String writerId) {
        Map<String, String> s = new HashMap<>();
        s.put(ConfigKeys.BOOTSTRAP_SERVERS, SharedKafka.bootstrapServers());
        s.put(ConfigKeys.REGISTRY_URL, registryUrl());
        s.put(ConfigKeys.REGISTRY_AUTO_REGISTER, "true");
        s.put(ConfigKeys.INDEX_TOPIC, topic);
        if (partitions > 0) {
            s.put(ConfigKeys.INDEX_PARTITIONS, Integer.toString(partitions));
        }
        s.put(ConfigKeys.USAGE_TOPIC, topic + "-usage");
        s.put(ConfigKeys.WRITER_ID, writerId);
        s.put(ConfigKeys.HTTP_HOST, "127.0.0.1");
        s.put(ConfigKeys.HTTP_PORT, "0");
        // The writer's HTTP contract is tested here; WriterAuthIT tests the tokens.
        s.put(ConfigKeys.AUTH_DISABLED, "true");
        return Settings.of(s);
    }

    static WriterApp start(String topic, String writerId) {
        return WriterApp.start(WriterConfig.from(settings(topic, 3, writerId)));
    }

    /** A writer that claims the transactional id at start, fencing whichever writer held it. */
    static WriterApp startWithoutElection(String topic, String writerId) {
        return WriterApp.start(WriterConfig.from(settings(topic, 3, writerId).with(ConfigKeys.WRITER_ELECTION_ENABLED, "false")));
    }

    static String body(String tier) {
        return "{\"coloHint\":\"SJC\",\"metadata\":{\"tier\":\"" + tier + "\",\"features\":[\"ws\"],\"maxConnections\":100,\"region\":\"us\"}}";
    }
}
