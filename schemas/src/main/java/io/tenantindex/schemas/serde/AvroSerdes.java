package io.tenantindex.schemas.serde;

import io.tenantindex.schemas.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Kafka {@link Serde}s in the Confluent wire format, ready for producers, consumers and Kafka
 * Streams ({@code Consumed.with(Serdes.String(), AvroSerdes.specificValue(...))}). They are built
 * complete, so Streams' {@code configure()} call has nothing to do.
 */
public final class AvroSerdes {
    private AvroSerdes() {
    }

    /** Values of the generated class whose schema is {@code schema}. */
    public static <T extends SpecificRecord> Serde<T> specificValue(SchemaRegistryClient registry, Schema schema, boolean autoRegister) {
        return specific(registry, schema, autoRegister, false);
    }

    /** Keys or values of the generated class whose schema is {@code schema}. */
    public static <T extends SpecificRecord> Serde<T> specific(SchemaRegistryClient registry, Schema schema,
                                                               boolean autoRegister, boolean isKey) {
        return Serdes.serdeFrom(new ConfluentAvroSerializer<>(registry, autoRegister, isKey),
                ConfluentAvroDeserializer.specific(registry, schema));
    }

    /** Generic keys or values; read with {@code readerSchema}, or with each record's writer schema when it is null. */
    public static Serde<GenericRecord> generic(SchemaRegistryClient registry, Schema readerSchema,
                                               boolean autoRegister, boolean isKey) {
        return generic(registry, readerSchema, SerdeConfig.defaults().withAutoRegister(autoRegister), isKey);
    }

    /** Generic keys or values configured as Confluent's serdes are ({@link SerdeConfig#from} reads their key names). */
    @SuppressWarnings("unchecked")
    public static Serde<GenericRecord> generic(SchemaRegistryClient registry, Schema readerSchema, SerdeConfig config, boolean isKey) {
        Deserializer<Object> deserializer = ConfluentAvroDeserializer.generic(registry, readerSchema, config);
        return Serdes.serdeFrom(new ConfluentAvroSerializer<>(registry, config, isKey),
                (Deserializer<GenericRecord>) (Deserializer<?>) deserializer);
    }
}
