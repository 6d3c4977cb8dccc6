package io.tenantindex.schemas;

import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.TopicOffsets;

/** Embedded registries on the shared broker, each test class on its own {@code _schemas}-like topic. */
public final class EmbeddedRegistries {
    private EmbeddedRegistries() {
    }

    /** The production spec of {@code _schemas} under a name no other test uses. */
    public static TopicSpec uniqueSchemasTopic() {
        TopicSpec spec = TopicsConfig.from(Settings.empty()).schemas();
        return new TopicSpec(SharedKafka.uniqueName(spec.name()), spec.partitions(), spec.replicationFactor(), spec.configs());
    }

    public static EmbeddedSchemaRegistry start(TopicSpec schemasTopic) {
        return EmbeddedSchemaRegistry.start(KafkaSettings.of(SharedKafka.bootstrapServers()), schemasTopic, "127.0.0.1", 0);
    }

    /** The end offset of the (single-partition) schema log: it moves exactly when the registry writes. */
    public static long endOffset(TopicSpec schemasTopic) {
        return TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), schemasTopic.name()).values().stream()
                .mapToLong(Long::longValue).sum();
    }
}
