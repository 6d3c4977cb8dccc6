package io.tenantindex.writer;

import io.tenantindex.common.TenantIds;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import io.tenantindex.schemas.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryData;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Writes a registration's value in the Confluent wire format, byte for byte what
 * {@link ConfluentAvroSerializer} writes for it, in two steps so that the single writer thread does
 * little of it: {@link #prepare} runs on the request's thread and encodes every field except the
 * three only the writer thread can decide (version, registeredAt, updatedAt); {@link #complete}
 * splices those in. Avro's binary encoding is the fields in schema order, and the three sit
 * together between coloHint and metadata. The schema id is asked of the registry through the
 * serializer (so both decide alike whether to register or look up) until it answers, then kept: the
 * schema is fixed.
 */
final class RegistrationEncoder {
    private static final Schema SCHEMA = TenantRegistration.getClassSchema();
    /** Three zig-zag varints of at most ten bytes each. */
    private static final int MAX_WRITER_FIELDS = 30;

    private final ConfluentAvroSerializer<TenantRegistration> serializer;
    private final String topic;
    private final DatumWriter<TenantMetadata> metadataWriter = new SpecificDatumWriter<>(TenantMetadata.class);
    private volatile int schemaId = -1;

    /** A request's value without the writer's fields: {@code bytes} is split at {@code split}, where they go. */
    record Prepared(String doId, byte[] bytes, int split) {
    }

    RegistrationEncoder(SchemaRegistryClient registry, boolean autoRegister, String topic) {
        this.serializer = new ConfluentAvroSerializer<>(registry, autoRegister, false);
        this.topic = topic;
    }

    /** Encodes {@code request}; an unreachable registry (before its first answer) is UNAVAILABLE, and nothing is written. */
    Prepared prepare(RegistrationRequest request) {
        String doId = TenantIds.doIdFor(request.tenantId());
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        WireFormat.writeHeader(out, schemaId());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            encoder.writeString(request.tenantId());
            encoder.writeString(doId);
            if (request.coloHint() == null) {
                encoder.writeIndex(0);
            } else {
                encoder.writeIndex(1);
                encoder.writeString(request.coloHint());
            }
            encoder.flush();
            int split = out.size();
            metadataWriter.write(request.metadata(), encoder);
            encoder.flush();
            return new Prepared(doId, out.toByteArray(), split);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding into memory", e);
        }
    }

    /** The value's bytes on the topic: {@code prepared} with the writer's three fields. */
    static byte[] complete(Prepared prepared, long version, long registeredAt, long updatedAt) {
        byte[] fields = new byte[MAX_WRITER_FIELDS];
        int n = BinaryData.encodeLong(version, fields, 0);
        n += BinaryData.encodeLong(registeredAt, fields, n);
        n += BinaryData.encodeLong(updatedAt, fields, n);
        byte[] in = prepared.bytes();
        byte[] out = new byte[in.length + n];
        System.arraycopy(in, 0, out, 0, prepared.split());
        System.arraycopy(fields, 0, out, prepared.split(), n);
        System.arraycopy(in, prepared.split(), out, prepared.split() + n, in.length - prepared.split());
        return out;
    }

    private int schemaId() {
        int id = schemaId;
        if (id >= 0) {
            return id;
        }
        try {
            id = serializer.schemaId(topic, SCHEMA);
        } catch (SerializationException e) {
            throw new TenantIndexException(ErrorType.UNAVAILABLE, "the schema registry: " + e.getMessage(), Duration.ofSeconds(1), e);
        }
        schemaId = id;
        return id;
    }
}
