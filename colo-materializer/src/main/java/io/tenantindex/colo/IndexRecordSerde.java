package io.tenantindex.colo;

import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.registry.SchemaRegistryException;
import io.tenantindex.schemas.serde.ConfluentAvroDeserializer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of the colo store's values ({@link IndexRecord}). Deserializing never fails for a bad
 * record (bad magic byte, unknown schema id, truncated Avro): it yields a poison {@link IndexRecord}
 * so that the stream keeps going and the poison is counted and dead-lettered downstream. It does
 * fail when the registry cannot be reached (no HTTP answer, or 5xx): that is transient, and
 * treating it as poison would lose good records.
 *
 * <p>{@link #stored()} is the same serde for the values the store hands back, decoded on first use.
 */
public final class IndexRecordSerde implements Serde<IndexRecord> {
    private final Deserializer<TenantRegistration> avro;

    public IndexRecordSerde(SchemaRegistryClient registry) {
        this.avro = ConfluentAvroDeserializer.specific(registry, TenantRegistration.getClassSchema());
    }

    @Override
    public Serializer<IndexRecord> serializer() {
        return (topic, value) -> value == null ? null : value.raw();
    }

    @Override
    public Deserializer<IndexRecord> deserializer() {
        return this::deserialize;
    }

    /** The serde of the store's values: they are decoded only when read (a lookup), not when a put replaces them. */
    public Serde<IndexRecord> stored() {
        Serializer<IndexRecord> serializer = serializer();
        return Serdes.serdeFrom(serializer, (topic, data) -> data == null ? null : IndexRecord.lazy(data, raw -> deserialize(topic, raw)));
    }

    private IndexRecord deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return IndexRecord.decoded(data, avro.deserialize(topic, data));
        } catch (SerializationException e) {
            if (isTransient(e)) {
                throw e;
            }
            return IndexRecord.poison(data, e.getMessage());
        }
    }

    private static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException sre) {
                return sre.httpStatus() == 0 || sre.httpStatus() >= 500;
            }
        }
        return false;
    }
}
