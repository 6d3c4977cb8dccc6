package io.tenantindex.lookup.usage;

import io.tenantindex.schemas.UsageEvent;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import io.tenantindex.schemas.serde.WireFormat;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a {@link UsageEvent} in the Confluent wire format, byte for byte what
 * {@link ConfluentAvroSerializer} writes for it, but straight into one array of the exact size: the
 * generic path (a datum writer walking the schema, a growing stream copied at the end) cost as much
 * as the rest of an event's send. The schema id is asked of the registry through the generic
 * serializer (registered when {@code autoRegister}, looked up otherwise) until it answers, then
 * kept: the schema is fixed.
 */
final class UsageEventSerializer implements Serializer<UsageEvent> {
    private static final Schema SCHEMA = UsageEvent.getClassSchema();

    private final ConfluentAvroSerializer<UsageEvent> generic;
    private volatile int schemaId = -1;

    UsageEventSerializer(SchemaRegistryClient registry, boolean autoRegister) {
        this.generic = new ConfluentAvroSerializer<>(registry, autoRegister, false);
    }

    @Override
    public byte[] serialize(String topic, UsageEvent event) {
        if (event == null) {
            return null;
        }
        byte[] tenantId = utf8(event.getTenantId());
        byte[] colo = utf8(event.getColo());
        byte[] requestId = utf8(event.getRequestId());
        long latency = zigZag(event.getLatencyMicros());
        long timestamp = zigZag(event.getTimestamp());
        int outcome = event.getOutcome().ordinal();
        byte[] out = new byte[WireFormat.HEADER_SIZE + stringSize(tenantId) + stringSize(colo) + varLongSize(zigZag(outcome))
                + varLongSize(latency) + varLongSize(timestamp) + stringSize(requestId)];
        int id = schemaId(topic);
        out[0] = WireFormat.MAGIC_BYTE;
        out[1] = (byte) (id >>> 24);
        out[2] = (byte) (id >>> 16);
        out[3] = (byte) (id >>> 8);
        out[4] = (byte) id;
        int at = writeString(out, WireFormat.HEADER_SIZE, tenantId);
        at = writeString(out, at, colo);
        at = writeVarLong(out, at, zigZag(outcome));
        at = writeVarLong(out, at, latency);
        at = writeVarLong(out, at, timestamp);
        writeString(out, at, requestId);
        return out;
    }

    private int schemaId(String topic) {
        int id = schemaId;
        if (id >= 0) {
            return id;
        }
        id = generic.schemaId(topic, SCHEMA);
        schemaId = id;
        return id;
    }

    private static byte[] utf8(CharSequence s) {
        if (s == null) {
            throw new SerializationException("a usage event with a null string field");
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long zigZag(long n) {
        return (n << 1) ^ (n >> 63);
    }

    private static int varLongSize(long zigZagged) {
        int size = 1;
        while ((zigZagged & ~0x7FL) != 0) {
            zigZagged >>>= 7;
            size++;
        }
        return size;
    }

    private static int stringSize(byte[] utf8) {
        return varLongSize(zigZag(utf8.length)) + utf8.length;
    }

    private static int writeVarLong(byte[] out, int at, long zigZagged) {
        while ((zigZagged & ~0x7FL) != 0) {
            out[at++] = (byte) ((zigZagged & 0x7F) | 0x80);
            zigZagged >>>= 7;
        }
        out[at++] = (byte) zigZagged;
        return at;
    }

    private static int writeString(byte[] out, int at, byte[] utf8) {
        int next = writeVarLong(out, at, zigZag(utf8.length));
        System.arraycopy(utf8, 0, out, next, utf8.length);
        return next + utf8.length;
    }
}
