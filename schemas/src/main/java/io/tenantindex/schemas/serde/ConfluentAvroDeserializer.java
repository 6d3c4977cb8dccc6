package io.tenantindex.schemas.serde;

import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro: the writer schema comes from the registry by id (cached), and
 * is resolved against the reader schema: the generated class's schema for specific records, a given
 * schema or the writer's own for generic ones. So a reader built against v1 reads v2 records and
 * vice versa, as long as the change is compatible.
 *
 * <p>A bad magic byte, an unknown id, a writer schema the reader cannot resolve, or truncated or
 * overlong Avro is a {@link SerializationException} naming the topic and schema id; Kafka's consumer
 * wraps it in a {@code RecordDeserializationException} that adds partition and offset. When the
 * registry itself is unreachable the cause is a {@link SchemaRegistryException} with
 * {@code retriable() == true}: that record is not poison, the registry is down.
 */
public final class ConfluentAvroDeserializer<T> implements Deserializer<T> {
    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final boolean specific;
    private final GenericData genericModel;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    private ConfluentAvroDeserializer(SchemaRegistryClient registry, Schema readerSchema, boolean specific, GenericData genericModel) {
        this.registry = registry;
        this.readerSchema = readerSchema;
        this.specific = specific;
        this.genericModel = genericModel;
    }

    /** Specific records of the generated class whose schema is {@code readerSchema}. */
    public static <T extends SpecificRecord> ConfluentAvroDeserializer<T> specific(SchemaRegistryClient registry, Schema readerSchema) {
        return new ConfluentAvroDeserializer<>(registry, readerSchema, true, GenericData.get());
    }

    /** Generic records in whatever schema they were written with. */
    public static ConfluentAvroDeserializer<Object> generic(SchemaRegistryClient registry) {
        return generic(registry, null, SerdeConfig.defaults());
    }

    /** Generic records resolved to {@code readerSchema} (fields the writer lacked take their defaults). */
    public static ConfluentAvroDeserializer<Object> generic(SchemaRegistryClient registry, Schema readerSchema) {
        return generic(registry, readerSchema, SerdeConfig.defaults());
    }

    /**
     * Generic records resolved to {@code readerSchema}, or in their writer schema when it is null;
     * with {@link SerdeConfig#logicalTypes()} (Confluent's {@code avro.use.logical.type.converters})
     * timestamp-millis, date, uuid and decimal fields come as Instant, LocalDate, UUID and BigDecimal.
     */
    public static ConfluentAvroDeserializer<Object> generic(SchemaRegistryClient registry, Schema readerSchema, SerdeConfig config) {
        return new ConfluentAvroDeserializer<>(registry, readerSchema, false, config.genericModel());
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        int id;
        try {
            id = WireFormat.schemaId(data);
        } catch (SerializationException e) {
            throw new SerializationException("topic " + topic + ": " + e.getMessage(), e);
        }
        DatumReader<T> reader = readers.get(id);
        if (reader == null) {
            reader = readerFor(topic, id);
            readers.putIfAbsent(id, reader);
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_SIZE,
                data.length - WireFormat.HEADER_SIZE, decoders.get());
        decoders.set(decoder);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("topic " + topic + ": malformed or truncated Avro for schema id " + id + ": " + e, e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new SerializationException("topic " + topic + ": trailing bytes after the Avro value (schema id " + id + ")");
            }
        } catch (IOException e) {
            throw new SerializationException("topic " + topic + ": cannot check the end of the value (schema id " + id + ")", e);
        }
        return value;
    }

    private DatumReader<T> readerFor(String topic, int id) {
        Schema writer;
        try {
            writer = registry.getById(id);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("topic " + topic + ": cannot resolve writer schema id " + id + ": " + e.getMessage(), e);
        }
        Schema reader = readerSchema == null ? writer : readerSchema;
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("topic " + topic + ": writer schema id " + id + " (" + writer.getFullName()
                    + ") cannot be read as " + reader.getFullName() + ": " + compatibility.getDescription());
        }
        return specific
                ? new SpecificDatumReader<>(writer, reader, SpecificData.getForSchema(reader))
                : new GenericDatumReader<>(writer, reader, genericModel);
    }
}
