package io.tenantindex.colo;

import io.tenantindex.common.feed.Change;
import io.tenantindex.common.feed.TopicHistory;
import io.tenantindex.common.kafka.VersionHeader;
import io.tenantindex.schemas.TenantJson;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A colo's index records as change-feed events: one mapping for the records the topology applies
 * ({@link ApplyProcessor}) and for the ones a resume reads back from the topic ({@link #history}).
 */
public final class ColoChanges {
    private ColoChanges() {
    }

    /** The change a record makes: a delete for a tombstone, an upsert for a registration; null for a poison record. */
    static Change of(int partition, long offset, String tenantId, Headers headers, IndexRecord value) {
        if (value == null) {
            return new Change(partition, offset, tenantId, VersionHeader.of(headers), null);
        }
        return value.isPoison() ? null
                : new Change(partition, offset, tenantId, value.registration().getVersion(), () -> TenantJson.of(value.registration()));
    }

    /** Reads what {@code replica}'s ring no longer holds back from its topic, decoded as the colo decodes it. */
    public static TopicHistory history(MaterializerConfig config, SchemaRegistryClient registry, RebuildableReplica replica) {
        Deserializer<IndexRecord> values = new IndexRecordSerde(registry).deserializer();
        return new TopicHistory(config.kafka().clientProperties(), config.indexTopic(),
                r -> of(r.partition(), r.offset(), r.key(), r.headers(), values.deserialize(r.topic(), r.headers(), r.value())),
                replica::deleteRetentionMs, System::currentTimeMillis);
    }
}
