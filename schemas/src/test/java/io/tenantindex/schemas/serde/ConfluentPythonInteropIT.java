package io.tenantindex.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.TestSchemas;
import io.tenantindex.schemas.Tier;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Interoperability with an independent implementation: Confluent's own Python client (Debian's
 * python3-confluent-kafka) reads what our serializer wrote through Confluent's registry client
 * against our embedded registry, and writes records (registering their schema) that our
 * deserializer reads; and every method of Confluent's Python SchemaRegistryClient gets the answers
 * and error codes Confluent documents. Skipped, saying why, only when /usr/bin/python3 lacks the
 * packages ({@link ConfluentPython}).
 */
class ConfluentPythonInteropIT {
    private static final Path V1_FILE = Path.of("src/main/avro/TenantRegistration.avsc");
    private static final Path V2_FILE = Path.of("src/test/resources/avro/TenantRegistration-v2.avsc");
    @RegisterExtension
    static final ConfluentPython PYTHON = new ConfluentPython();

    @Test
    void confluentsPythonDeserializerShouldReadWhatOurSerializerWrote() throws Exception {
        String topic = SchemaEvolutionIT.newTopic("interop-java-to-python");
        var client = new HttpSchemaRegistryClient(PYTHON.registry().url());
        Map<String, TenantRegistration> written = new HashMap<>();
        for (int i = 1; i <= 6; i++) {
            TenantRegistration r = TestSchemas.registration("j-" + i, i);
            r.getMetadata().setMaxConnections(i % 3 == 0 ? null : 100 + i);
            written.put(r.getTenantId(), r);
        }
        SchemaEvolutionIT.produce(topic, new ConfluentAvroSerializer<>(client, true, false), new ArrayList<>(written.values()));
        int ourId = client.lookupId(ConfluentAvroSerializer.subjectFor(topic, false), TenantRegistration.getClassSchema());

        List<JsonNode> lines = PYTHON.run("consume", "--topic", topic, "--count", "6");

        JsonNode summary = lines.get(lines.size() - 1);
        assertThat(summary.path("latest_id").asInt()).isEqualTo(ourId);
        assertThat(summary.path("latest_version").asInt()).isEqualTo(1);
        assertThat(new Schema.Parser().parse(summary.path("schema").toString())).isEqualTo(TenantRegistration.getClassSchema());
        List<JsonNode> records = lines.subList(0, lines.size() - 1);
        assertThat(records).hasSize(6).allSatisfy(line -> {
            TenantRegistration expected = written.get(line.path("key").asText());
            JsonNode v = line.path("value");
            assertThat(line.path("schema_id").asInt()).isEqualTo(ourId);
            assertThat(v.path("tenantId").asText()).isEqualTo(expected.getTenantId());
            assertThat(v.path("doId").asText()).isEqualTo(expected.getDoId());
            assertThat(v.path("coloHint").isNull() ? null : v.path("coloHint").asText()).isEqualTo(expected.getColoHint());
            assertThat(v.path("version").asLong()).isEqualTo(expected.getVersion());
            assertThat(v.path("registeredAt").asLong()).isEqualTo(expected.getRegisteredAt());
            assertThat(v.path("updatedAt").asLong()).isEqualTo(expected.getUpdatedAt());
            JsonNode m = v.path("metadata");
            assertThat(m.path("tier").asText()).isEqualTo(expected.getMetadata().getTier().name());
            assertThat(m.path("features").toString()).isEqualTo("[\"ws\",\"kv\"]");
            assertThat(m.path("maxConnections").isNull() ? null : m.path("maxConnections").asInt())
                    .isEqualTo(expected.getMetadata().getMaxConnections());
            assertThat(m.path("region").asText()).isEqualTo("us");
        });
    }

    @Test
    void ourDeserializerShouldReadWhatConfluentsPythonSerializerWroteWithASchemaItRegistered() throws Exception {
        String topic = SchemaEvolutionIT.newTopic("interop-python-to-java");

        JsonNode produced = PYTHON.run("produce", "--topic", topic, "--count", "5", "--schema", V2_FILE.toAbsolutePath().toString()).get(0);

        int pythonId = produced.path("schema_id").asInt();
        var client = new HttpSchemaRegistryClient(PYTHON.registry().url());
        assertThat(client.getById(pythonId)).isEqualTo(TestSchemas.v2());
        List<ConsumerRecord<String, byte[]>> raw = SchemaEvolutionIT.consume(topic, 5, new ByteArrayDeserializer());
        ConfluentAvroDeserializer<TenantRegistration> v1Reader = ConfluentAvroDeserializer.specific(client, TenantRegistration.getClassSchema());
        ConfluentAvroDeserializer<Object> writerSchemaReader = ConfluentAvroDeserializer.generic(client);
        assertThat(raw).allSatisfy(record -> {
            assertThat(WireFormat.schemaId(record.value())).isEqualTo(pythonId);
            int i = Integer.parseInt(record.key().substring("py-".length()));
            assertThat(v1Reader.deserialize(topic, record.value())).isEqualTo(expectedFromPython(i));
            GenericRecord asWritten = (GenericRecord) writerSchemaReader.deserialize(topic, record.value());
            Map<String, String> labels = new HashMap<>();
            ((Map<?, ?>) asWritten.get("labels")).forEach((k, v) -> labels.put(k.toString(), v.toString()));
            assertThat(labels).isEqualTo(Map.of("source", "python", "n", Integer.toString(i)));
        });
    }

    @Test
    void everyMethodOfConfluentsPythonClientShouldGetConfluentsAnswers() throws Exception {
        String subject = SchemaEvolutionIT.newTopic("interop-client") + "-value";
        // The file as Python reads it: without the Java string properties of the generated class's schema.
        Schema v1Schema = new Schema.Parser().parse(V1_FILE.toFile());
        // The same schema has the same id under every subject: these are the ids Python must see.
        var client = new HttpSchemaRegistryClient(PYTHON.registry().url());
        int v1 = client.register(subject + "-ids", v1Schema);
        int v2 = client.register(subject + "-ids-v2", TestSchemas.v2());
        Map<String, JsonNode> steps = new HashMap<>();
        for (JsonNode line : PYTHON.run("client", "--subject", subject, "--schema", V1_FILE.toAbsolutePath().toString(),
                "--schema2", V2_FILE.toAbsolutePath().toString())) {
            steps.put(line.path("step").asText(), line);
        }

        assertThat(result(steps, "register_schema").asInt()).isEqualTo(v1);
        JsonNode byId = result(steps, "get_schema");
        assertThat(byId.path("schema_type").asText()).isEqualTo("AVRO");
        assertThat(new Schema.Parser().parse(byId.path("schema").toString())).isEqualTo(v1Schema);
        assertThat(byId.path("references").toString()).isEqualTo("[]");
        assertRegistered(result(steps, "lookup_schema"), subject, 1, v1, v1Schema);
        assertPythonError(steps, "lookup_schema_unknown", 404, 40403);
        assertThat(result(steps, "test_compatibility").asBoolean()).isTrue();
        assertThat(result(steps, "test_compatibility_version").asBoolean()).isTrue();
        assertPythonError(steps, "test_compatibility_unknown_version", 404, 40402);
        assertThat(result(steps, "register_schema_v2").asInt()).isEqualTo(v2);
        assertThat(result(steps, "get_subjects")).extracting(JsonNode::asText).contains(subject);
        assertThat(result(steps, "get_versions").toString()).isEqualTo("[1,2]");
        assertRegistered(result(steps, "get_latest_version"), subject, 2, v2, TestSchemas.v2());
        assertRegistered(result(steps, "get_version"), subject, 1, v1, v1Schema);
        assertPythonError(steps, "get_version_unknown", 404, 40402);
        assertPythonError(steps, "get_compatibility_unset", 404, 40408);
        assertThat(result(steps, "set_compatibility").path("compatibility").asText()).isEqualTo("FULL");
        assertThat(result(steps, "get_compatibility").asText()).isEqualTo("FULL");
        assertPythonError(steps, "set_compatibility_invalid", 422, 42203);
        assertThat(result(steps, "set_compatibility_global").path("compatibility").asText()).isEqualTo("BACKWARD");
        assertThat(result(steps, "get_compatibility_global").asText()).isEqualTo("BACKWARD");

        assertThat(result(steps, "delete_version").asInt()).isEqualTo(1);
        assertThat(result(steps, "get_versions_after_delete_version").toString()).isEqualTo("[2]");
        assertPythonError(steps, "get_deleted_version", 404, 40402);
        assertThat(new Schema.Parser().parse(result(steps, "get_schema_of_deleted_version").path("schema").toString()))
                .isEqualTo(v1Schema);
        assertPythonError(steps, "delete_version_again", 404, 40406);
        assertThat(result(steps, "delete_subject").toString()).isEqualTo("[2]");
        assertPythonError(steps, "get_versions_after_delete_subject", 404, 40401);
        assertPythonError(steps, "delete_subject_again", 404, 40404);
        assertThat(result(steps, "register_schema_after_delete").asInt()).isEqualTo(v2);
        assertThat(result(steps, "get_versions_after_register_again").toString()).isEqualTo("[3]");
        assertThat(result(steps, "delete_subject_permanent").toString()).isEqualTo("[3]");
        assertThat(result(steps, "get_subjects_after_permanent_delete")).extracting(JsonNode::asText).doesNotContain(subject);
        assertPythonError(steps, "get_latest_version_after_permanent_delete", 404, 40401);
        assertThat(steps).hasSize(32);
    }

    private static JsonNode result(Map<String, JsonNode> steps, String step) {
        JsonNode line = steps.get(step);
        assertThat(line).as("step %s ran", step).isNotNull();
        assertThat(line.has("result")).as("step %s answered %s", step, line).isTrue();
        return line.path("result");
    }

    private static void assertPythonError(Map<String, JsonNode> steps, String step, int http, int code) {
        JsonNode line = steps.get(step);
        assertThat(line).as("step %s ran", step).isNotNull();
        assertThat(line.path("error").path("http").asInt()).as("HTTP status of step %s: %s", step, line).isEqualTo(http);
        assertThat(line.path("error").path("code").asInt()).as("error_code of step %s: %s", step, line).isEqualTo(code);
    }

    private static void assertRegistered(JsonNode r, String subject, int version, int id, Schema schema) {
        assertThat(r.path("subject").asText()).isEqualTo(subject);
        assertThat(r.path("version").asInt()).isEqualTo(version);
        assertThat(r.path("schema_id").asInt()).isEqualTo(id);
        assertThat(r.path("schema_type").asText()).isEqualTo("AVRO");
        assertThat(new Schema.Parser().parse(r.path("schema").toString())).isEqualTo(schema);
    }

    /** What confluent_interop.py's record(i) writes, as our v1 generated class. */
    private static TenantRegistration expectedFromPython(int i) {
        return TenantRegistration.newBuilder()
                .setTenantId("py-" + i)
                .setDoId(String.format("%064x", i * 7919L))
                .setColoHint(i % 2 == 0 ? null : "AMS")
                .setVersion(10 + i)
                .setRegisteredAt(1_700_000_000_000L + i)
                .setUpdatedAt(1_700_000_005_000L + i)
                .setMetadata(TenantMetadata.newBuilder()
                        .setTier(Tier.enterprise)
                        .setFeatures(List.of("ws", "f" + i))
                        .setMaxConnections(i % 3 == 0 ? null : 1000 + i)
                        .setRegion("eu")
                        .build())
                .build();
    }
}
