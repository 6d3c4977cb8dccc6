package io.tenantindex.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.TestSchemas;
import io.tenantindex.schemas.registry.InMemorySchemaRegistry;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The serdes configured with Confluent's key names: subject-name strategies, use.latest.version, logical types. */
class SerdeConfigTest {
    private static final Schema LOGICAL = new Schema.Parser().parse("""
            {"type":"record","name":"Payment","namespace":"io.tenantindex.test","fields":[
              {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"id","type":{"type":"string","logicalType":"uuid"}},
              {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
              {"name":"day","type":{"type":"int","logicalType":"date"}}]}""");
    private static final String CONFLUENT = "io.confluent.kafka.serializers.subject.";

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry(900_000);

    @Test
    void shouldReadConfluentsKeyNamesAndClassNames() {
        SerdeConfig config = SerdeConfig.from(Map.of(
                "auto.register.schemas", "true",
                "use.latest.version", "false",
                "key.subject.name.strategy", CONFLUENT + "RecordNameStrategy",
                "value.subject.name.strategy", "TopicRecordNameStrategy",
                "avro.use.logical.type.converters", true));

        assertThat(config).isEqualTo(new SerdeConfig(true, false, SubjectNameStrategy.RECORD, SubjectNameStrategy.TOPIC_RECORD, true));
        assertThat(SerdeConfig.from(Map.of())).isEqualTo(SerdeConfig.defaults());
        assertThat(SerdeConfig.from(Map.of("value.subject.name.strategy", CONFLUENT + "TopicNameStrategy")).valueStrategy())
                .isEqualTo(SubjectNameStrategy.TOPIC);
        assertThatThrownBy(() -> SerdeConfig.from(Map.of("use.latest.version", "yes"))).hasMessageContaining("use.latest.version");
        assertThatThrownBy(() -> SerdeConfig.from(Map.of("value.subject.name.strategy", "com.example.Mine")))
                .hasMessageContaining("value.subject.name.strategy").hasMessageContaining("TopicRecordNameStrategy");
    }

    @Test
    void shouldNameSubjectsAsConfluentsStrategiesDo() {
        Schema schema = TenantRegistration.getClassSchema();
        assertThat(SubjectNameStrategy.TOPIC.subject("t", false, schema)).isEqualTo("t-value");
        assertThat(SubjectNameStrategy.TOPIC.subject("t", true, schema)).isEqualTo("t-key");
        assertThat(SubjectNameStrategy.RECORD.subject("t", false, schema)).isEqualTo("io.tenantindex.schemas.TenantRegistration");
        assertThat(SubjectNameStrategy.TOPIC_RECORD.subject("t", true, schema)).isEqualTo("t-io.tenantindex.schemas.TenantRegistration");
        assertThatThrownBy(() -> SubjectNameStrategy.RECORD.subject("t", false, Schema.create(Schema.Type.STRING)))
                .hasMessageContaining("RecordNameStrategy needs a record schema");
    }

    @Test
    void shouldRegisterUnderTheSubjectTheStrategyNames() {
        SerdeConfig config = SerdeConfig.from(Map.of("value.subject.name.strategy", CONFLUENT + "TopicRecordNameStrategy"))
                .withAutoRegister(true);
        new ConfluentAvroSerializer<TenantRegistration>(registry, config, false).serialize("orders", TestSchemas.registration("a", 1));

        assertThat(registry.calls()).containsExactly("register orders-io.tenantindex.schemas.TenantRegistration");
    }

    @Test
    void shouldWriteWithTheLatestVersionAndRefuseARecordOfAnotherSchema() {
        int id = registry.register("t-value", TenantRegistration.getClassSchema());
        var latest = new SerdeConfig(false, true, SubjectNameStrategy.TOPIC, SubjectNameStrategy.TOPIC, false);
        var serializer = new ConfluentAvroSerializer<GenericRecord>(registry, latest, false);

        byte[] first = serializer.serialize("t", TestSchemas.registration("a", 1));
        serializer.serialize("t", TestSchemas.registration("b", 2));

        assertThat(WireFormat.schemaId(first)).isEqualTo(id);
        assertThat(registry.calls()).containsExactly("register t-value", "latest t-value");
        GenericRecord other = new GenericData.Record(LOGICAL);
        assertThatThrownBy(() -> new ConfluentAvroSerializer<GenericRecord>(registry, latest, false).serialize("t", other))
                .isInstanceOf(SerializationException.class).hasMessageContaining("is not the schema of the record");
    }

    @Test
    void shouldDecodeLogicalTypesToTheirClassesOnlyWhenAsked() {
        SerdeConfig logical = new SerdeConfig(true, false, SubjectNameStrategy.TOPIC, SubjectNameStrategy.TOPIC, true);
        Instant at = Instant.parse("2026-12-01T12:00:00.123Z");
        UUID uuid = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");
        GenericRecord payment = new GenericData.Record(LOGICAL);
        payment.put("at", at);
        payment.put("id", uuid);
        payment.put("amount", new BigDecimal("1234.50"));
        payment.put("day", LocalDate.of(2026, 12, 1));

        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry, logical, false).serialize("p", payment);

        GenericRecord converted = (GenericRecord) ConfluentAvroDeserializer.generic(registry, null, logical).deserialize("p", bytes);
        assertThat(converted.get("at")).isEqualTo(at);
        assertThat(converted.get("id")).isEqualTo(uuid);
        assertThat(converted.get("amount")).isEqualTo(new BigDecimal("1234.50"));
        assertThat(converted.get("day")).isEqualTo(LocalDate.of(2026, 12, 1));
        GenericRecord raw = (GenericRecord) ConfluentAvroDeserializer.generic(registry).deserialize("p", bytes);
        assertThat(raw.get("at")).isEqualTo(at.toEpochMilli());
        assertThat(raw.get("id")).isEqualTo(new Utf8(uuid.toString()));
        assertThat(raw.get("amount")).isInstanceOf(ByteBuffer.class);
        assertThat(raw.get("day")).isEqualTo((int) LocalDate.of(2026, 12, 1).toEpochDay());
    }
}
