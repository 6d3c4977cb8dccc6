package io.tenantindex.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.TestSchemas;
import io.tenantindex.schemas.registry.InMemorySchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * The bytes our serializer writes, checked against the Confluent wire format spec (magic 0x00,
 * 4-byte big-endian schema id, Avro binary) with a hand-encoded expectation, and the deserializer's
 * answers to bytes that are not in that format.
 */
class ConfluentWireFormatTest {
    /** A large id with bits set in every byte: catches sign, byte-order and "ids are small" mistakes. */
    private static final int ID = 0x7F01FE80;

    private static final Schema WIRE = new Schema.Parser().parse("""
            {"type":"record","name":"Wire","namespace":"test","fields":[
              {"name":"s","type":"string"},
              {"name":"n","type":"long"},
              {"name":"o","type":["null","int"]},
              {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
              {"name":"a","type":{"type":"array","items":"string"}}]}""");

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry(ID);

    private static GenericRecord wire(Integer o) {
        GenericRecord r = new GenericData.Record(WIRE);
        r.put("s", "hi");
        r.put("n", -3L);
        r.put("o", o);
        r.put("e", new GenericData.EnumSymbol(WIRE.getField("e").schema(), "C"));
        r.put("a", List.of("x"));
        return r;
    }

    @Test
    void shouldFrameAGenericRecordExactlyAsTheConfluentSpecSays() {
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry, true, false).serialize("t", wire(150));

        byte[] expected = HexFormat.of().parseHex(
                "00" // magic byte
                + "7f01fe80" // schema id, 4 bytes big-endian
                + "046869" // s: zigzag length 2, "hi"
                + "05" // n: zigzag(-3)
                + "02" + "ac02" // o: union branch 1 (int), zigzag(150) = 300 as varint
                + "04" // e: enum index 2 ("C")
                + "02" + "0278" + "00"); // a: block of 1 item, "x", end of array
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(HexFormat.of().formatHex(expected));
    }

    @Test
    void shouldEncodeTheNullBranchOfAUnionAsIndexZero() {
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry, true, false).serialize("t", wire(null));

        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("007f01fe80" + "046869" + "05" + "00" + "04" + "02027800");
    }

    @Test
    void shouldFrameSpecificRecordsAsHeaderPlusAvrosOwnBinaryEncoding() throws Exception {
        TenantRegistration record = TestSchemas.registration("acme", 3);

        byte[] bytes = new ConfluentAvroSerializer<TenantRegistration>(registry, true, false).serialize("tenant-index", record);

        ByteArrayOutputStream avro = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(avro, null);
        new SpecificDatumWriter<>(TenantRegistration.class).write(record, enc);
        enc.flush();
        assertThat(Arrays.copyOfRange(bytes, 0, 5)).containsExactly(0x00, 0x7F, 0x01, 0xFE, 0x80);
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(avro.toByteArray());
        assertThat(WireFormat.schemaId(bytes)).isEqualTo(ID);
    }

    @Test
    void shouldRoundTripThroughTheSerdeWithTheWriterSchemaFetchedById() {
        Serde<TenantRegistration> serde = AvroSerdes.specificValue(registry, TenantRegistration.getClassSchema(), true);
        TenantRegistration record = TestSchemas.registration("acme", 7);

        TenantRegistration back = serde.deserializer().deserialize("tenant-index", serde.serializer().serialize("tenant-index", record));

        assertThat(back).isEqualTo(record);
        assertThat(registry.calls()).contains("register tenant-index-value", "get " + ID);
    }

    @Test
    void shouldReadGenericRecordsInTheWritersSchema() {
        Serde<GenericRecord> serde = AvroSerdes.generic(registry, null, true, false);

        GenericRecord back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", wire(150)));

        assertThat(back.getSchema()).isEqualTo(WIRE);
        assertThat(back.get("s")).isEqualTo(new Utf8("hi"));
        assertThat(back.get("o")).isEqualTo(150);
        assertThat(back.get("e").toString()).isEqualTo("C");
    }

    @Test
    void shouldUseTheTopicNameStrategyForKeysAndValuesOfEveryTopic() {
        var values = new ConfluentAvroSerializer<GenericRecord>(registry, true, false);
        var keys = new ConfluentAvroSerializer<GenericRecord>(registry, true, true);

        values.serialize("orders", wire(1));
        values.serialize("payments", wire(1));
        keys.serialize("orders", wire(1));

        assertThat(registry.calls()).containsExactly("register orders-value", "register payments-value", "register orders-key");
    }

    @Test
    void shouldOnlyLookUpTheSchemaWhenAutoRegistrationIsOff() {
        var serializer = new ConfluentAvroSerializer<GenericRecord>(registry, false, false);

        assertThatThrownBy(() -> serializer.serialize("orders", wire(1)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("orders-value")
                .hasMessageContaining("auto-registration is off");
        registry.register("orders-value", WIRE);
        assertThat(serializer.serialize("orders", wire(1))).startsWith(0x00, 0x7F, 0x01, 0xFE, 0x80);
        assertThat(registry.calls()).containsExactly("lookup orders-value", "register orders-value", "lookup orders-value");
    }

    @Test
    void shouldPassNullThroughAsATombstone() {
        assertThat(new ConfluentAvroSerializer<TenantRegistration>(registry, true, false).serialize("t", null)).isNull();
        assertThat(ConfluentAvroDeserializer.specific(registry, TenantRegistration.getClassSchema()).deserialize("t", null)).isNull();
    }

    @Test
    void shouldRejectABadMagicByteNamingTheTopic() {
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry, true, false).serialize("t", wire(1));
        bytes[0] = 0x01;

        assertThatThrownBy(() -> ConfluentAvroDeserializer.generic(registry).deserialize("orders", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic orders")
                .hasMessageContaining("magic byte 0x01");
    }

    @Test
    void shouldRejectAValueShorterThanTheHeader() {
        assertThatThrownBy(() -> ConfluentAvroDeserializer.generic(registry).deserialize("orders", new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("too short");
    }

    @Test
    void shouldRejectAnUnknownSchemaIdNamingIt() {
        byte[] bytes = HexFormat.of().parseHex("00" + "00067932" + "046869");

        assertThatThrownBy(() -> ConfluentAvroDeserializer.generic(registry).deserialize("orders", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id 424242")
                .hasMessageContaining("40403");
    }

    @Test
    void shouldRejectTruncatedAvro() {
        byte[] full = new ConfluentAvroSerializer<TenantRegistration>(registry, true, false)
                .serialize("t", TestSchemas.registration("acme", 1));
        var deserializer = ConfluentAvroDeserializer.specific(registry, TenantRegistration.getClassSchema());

        for (int cut : new int[] {6, 20, full.length / 2, full.length - 1}) {
            byte[] truncated = Arrays.copyOf(full, cut);
            assertThatThrownBy(() -> deserializer.deserialize("t", truncated))
                    .as("cut at %d of %d bytes", cut, full.length)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void shouldRejectTrailingBytesAfterTheValue() {
        byte[] full = new ConfluentAvroSerializer<GenericRecord>(registry, true, false).serialize("t", wire(1));
        byte[] longer = Arrays.copyOf(full, full.length + 2);

        assertThatThrownBy(() -> ConfluentAvroDeserializer.generic(registry).deserialize("t", longer))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("trailing bytes");
    }

    @Test
    void shouldRejectAWriterSchemaTheReaderCannotResolve() {
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry, true, false).serialize("t", wire(1));

        assertThatThrownBy(() -> ConfluentAvroDeserializer.specific(registry, TenantRegistration.getClassSchema()).deserialize("t", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot be read as io.tenantindex.schemas.TenantRegistration");
    }
}
