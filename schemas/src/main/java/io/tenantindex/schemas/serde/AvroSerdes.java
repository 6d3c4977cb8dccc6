package io.tenantindex.schemas.serde;

import io.tenantindex.schemas.registry.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Value serdes for the generated record classes, in the Confluent wire format. */
public final class AvroSerdes {
    private AvroSerdes() {
    }

    public static <T extends SpecificRecord> Serde<T> specificValue(
            SchemaRegistryClient registry, org.apache.avro.Schema schema, boolean autoRegister) {
        return Serdes.serdeFrom(new ConfluentAvroSerializer<>(registry, autoRegister, false),
                ConfluentAvroDeserializer.specific(registry, schema));
    }
}
