package io.tenantindex.launcher;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.testing.SharedKafka;
import java.util.Map;

/** Settings of a local stack for a test: the shared broker (or another Kafka), topics and app ids of its own, free ports, a temp dir. */
final class TestStacks {
    private TestStacks() {
    }

    /** Topics {@code <prefix>-index} and {@code <prefix>-usage}; {@code colos} like {@code "ORD:0,SIN:0"}. */
    static Settings settings(String prefix, String colos) {
        return settings(prefix, colos, SharedKafka.bootstrapServers());
    }

    /** Like {@link #settings(String, String)}, on the Kafka at {@code bootstrapServers}. */
    static Settings settings(String prefix, String colos, String bootstrapServers) {
        return Settings.of(Map.of(
                ConfigKeys.BOOTSTRAP_SERVERS, bootstrapServers,
                ConfigKeys.INDEX_TOPIC, prefix + "-index",
                ConfigKeys.USAGE_TOPIC, prefix + "-usage",
                ConfigKeys.DATA_DIR, SharedKafka.tempDir(prefix).toString(),
                ConfigKeys.REGISTRY_PORT, "0",
                ConfigKeys.WRITER_PORT, "0",
                ConfigKeys.COLOS, colos,
                ConfigKeys.SINK_PORT, "0",
                "sink.application.id", prefix + "-sink"));
    }

    static LocalStack start(Settings settings) {
        return LocalStack.start(LocalStackConfig.from(settings));
    }
}
