package io.tenantindex.schemas.serde;

import io.tenantindex.schemas.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (specific or generic) in the Confluent wire format, subject by the
 * TopicNameStrategy ({@code <topic>-value} / {@code <topic>-key}). With {@code autoRegister} the
 * schema is registered on first use (local stack); without it, it must already be registered and
 * is only looked up (production: schema changes are a deliberate step).
 */
public final class ConfluentAvroSerializer<T extends GenericContainer> implements Serializer<T> {
    private final SchemaRegistryClient registry;
    private final boolean autoRegister;
    private final boolean isKey;
    private final Map<Schema, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryEncoder> encoders = new ThreadLocal<>();

    public ConfluentAvroSerializer(SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.isKey = isKey;
    }

    public static String subjectFor(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        int id = ids.computeIfAbsent(schema, s -> {
            String subject = subjectFor(topic, isKey);
            return autoRegister ? registry.register(subject, s) : registry.lookupId(subject, s);
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(WireFormat.MAGIC_BYTE);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, encoders.get());
        encoders.set(encoder);
        try {
            boolean specific = record instanceof SpecificRecord;
            writers.computeIfAbsent(schema, sc -> writerFor(sc, specific)).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + schema.getFullName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static DatumWriter<Object> writerFor(Schema schema, boolean specific) {
        GenericData model = specific ? SpecificData.getForSchema(schema) : GenericData.get();
        return (DatumWriter<Object>) model.createDatumWriter(schema);
    }
}
