package io.tenantindex.schemas.serde;

import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro: the writer schema comes from the registry by id (cached), and
 * is resolved against the reader schema — the generated class's schema for specific records, or the
 * writer's own for generic ones. So a reader built against v1 reads v2 records and vice versa, as
 * long as the change is compatible. Bad magic, an unknown id or truncated Avro is a
 * {@link SerializationException}.
 */
public final class ConfluentAvroDeserializer<T> implements Deserializer<T> {
    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    private ConfluentAvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
        this.registry = registry;
        this.readerSchema = readerSchema;
    }

    /** Specific records of the generated class whose schema is {@code readerSchema}. */
    public static <T extends org.apache.avro.specific.SpecificRecord> ConfluentAvroDeserializer<T> specific(
            SchemaRegistryClient registry, Schema readerSchema) {
        return new ConfluentAvroDeserializer<>(registry, readerSchema);
    }

    /** Generic records in whatever schema they were written with. */
    public static ConfluentAvroDeserializer<Object> generic(SchemaRegistryClient registry) {
        return new ConfluentAvroDeserializer<>(registry, null);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        int id = WireFormat.schemaId(data);
        DatumReader<T> reader;
        try {
            reader = readers.computeIfAbsent(id, this::readerFor);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("topic " + topic + ": cannot resolve schema id " + id + ": " + e.getMessage(), e);
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_SIZE,
                data.length - WireFormat.HEADER_SIZE, decoders.get());
        decoders.set(decoder);
        try {
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("topic " + topic + ": trailing bytes after Avro value with schema id " + id);
            }
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException se) {
                throw se;
            }
            throw new SerializationException("topic " + topic + ": malformed Avro for schema id " + id + ": " + e, e);
        }
    }

    private DatumReader<T> readerFor(int id) {
        Schema writer = registry.getById(id);
        if (readerSchema == null) {
            return new GenericDatumReader<>(writer, writer, GenericData.get());
        }
        return new SpecificDatumReader<>(writer, readerSchema, SpecificData.getForSchema(readerSchema));
    }
}
