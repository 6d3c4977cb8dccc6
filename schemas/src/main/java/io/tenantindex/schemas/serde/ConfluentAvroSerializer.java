package io.tenantindex.schemas.serde;

import io.tenantindex.schemas.registry.RegisteredSchema;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.registry.SchemaRegistryException;
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
 * Writes Avro records (specific or generic) in the Confluent wire format, under the subject its
 * {@link SubjectNameStrategy} names (by default {@code <topic>-value} / {@code <topic>-key}). With
 * {@code autoRegister} the schema is registered on first use (local stack); without it, it must
 * already be registered and is only looked up (production: schema changes are a deliberate step);
 * with {@code useLatestVersion} the subject's latest version is written with, and it must be the
 * record's schema (say, registered with references). Ids are cached, so after the first record
 * per subject and schema no request is made.
 */
public final class ConfluentAvroSerializer<T extends GenericContainer> implements Serializer<T> {
    private final SchemaRegistryClient registry;
    private final SerdeConfig config;
    private final boolean isKey;
    private final GenericData genericModel;
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final Map<String, RegisteredSchema> latest = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryEncoder> encoders = new ThreadLocal<>();

    public ConfluentAvroSerializer(SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
        this(registry, SerdeConfig.defaults().withAutoRegister(autoRegister), isKey);
    }

    public ConfluentAvroSerializer(SchemaRegistryClient registry, SerdeConfig config, boolean isKey) {
        this.registry = registry;
        this.config = config;
        this.isKey = isKey;
        this.genericModel = config.genericModel();
    }

    /** The TopicNameStrategy. */
    public static String subjectFor(String topic, boolean isKey) {
        return SubjectNameStrategy.TOPIC.subject(topic, isKey, null);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        int id = schemaId(topic, schema);
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        WireFormat.writeHeader(out, id);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, encoders.get());
        encoders.set(encoder);
        try {
            writers.computeIfAbsent(schema, sc -> writerFor(sc, record instanceof SpecificRecord)).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + schema.getFullName() + " for topic " + topic + ": " + e, e);
        }
        return out.toByteArray();
    }

    /**
     * The id a record of {@code schema} is written with on {@code topic}: registered, looked up or the
     * subject's latest version, as configured. For encoders that write the same bytes by hand.
     *
     * @throws SerializationException when the registry does not answer or has no such schema
     */
    public int schemaId(String topic, Schema schema) {
        String subject;
        try {
            subject = config.strategy(isKey).subject(topic, isKey, schema);
        } catch (IllegalArgumentException e) {
            throw new SerializationException("topic " + topic + ": " + e.getMessage(), e);
        }
        String action = config.useLatestVersion() ? "use the latest version of " : config.autoRegister() ? "register " : "look up ";
        try {
            if (config.useLatestVersion()) {
                return latestVersionFor(subject, schema);
            }
            return config.autoRegister() ? registry.register(subject, schema) : registry.lookupId(subject, schema);
        } catch (SchemaRegistryException e) {
            String hint = config.autoRegister() || config.useLatestVersion() ? "" : " (auto-registration is off: register the schema under the subject first)";
            throw new SerializationException("cannot " + action + schema.getFullName() + " under subject " + subject + hint
                    + ": " + e.getMessage(), e);
        }
    }

    /** Asked once per subject (as Confluent caches it); a different schema is refused rather than written under the wrong id. */
    private int latestVersionFor(String subject, Schema schema) {
        RegisteredSchema version = latest.computeIfAbsent(subject, registry::latest);
        if (!version.schema().equals(schema)) {
            throw new SerializationException("the latest version (" + version.version() + ", id " + version.id() + ") of subject "
                    + subject + " is not the schema of the record (" + schema.getFullName() + "); use.latest.version writes"
                    + " only records of that schema");
        }
        return version.id();
    }

    @SuppressWarnings("unchecked")
    private DatumWriter<Object> writerFor(Schema schema, boolean specific) {
        GenericData model = specific ? SpecificData.getForSchema(schema) : genericModel;
        return (DatumWriter<Object>) model.createDatumWriter(schema);
    }
}
