package io.tenantindex.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.schemas.TestSchemas;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Schema references across implementations: Confluent's Python client registers a schema that
 * names a record type of another subject, Python writes records with it that our deserializer
 * reads, and Python resolves the references of what our serializer wrote and reads it.
 */
class ConfluentPythonReferencesIT {
    private static final Path ADDRESS = Path.of("src/test/resources/avro/Address.avsc");
    private static final Path CUSTOMER = Path.of("src/test/resources/avro/Customer-with-reference.avsc");
    @RegisterExtension
    static final ConfluentPython PYTHON = new ConfluentPython();

    @Test
    void ourDeserializerShouldReadWhatPythonWroteWithAReferencingSchema() throws Exception {
        String topic = SchemaEvolutionIT.newTopic("interop-refs-python-to-java");

        JsonNode produced = produceFromPython(topic, 4);

        int id = produced.path("schema_id").asInt();
        assertThat(produced.path("references").toString()).isEqualTo("[{\"name\":\"io.tenantindex.test.Address\",\"subject\":\""
                + topic + "-address\",\"version\":1}]");
        var client = new HttpSchemaRegistryClient(PYTHON.registry().url());
        assertThat(client.getById(id)).isEqualTo(TestSchemas.customer());
        var reader = ConfluentAvroDeserializer.generic(client);
        List<ConsumerRecord<String, byte[]>> raw = SchemaEvolutionIT.consume(topic, 4, new ByteArrayDeserializer());
        assertThat(raw).allSatisfy(record -> {
            assertThat(WireFormat.schemaId(record.value())).isEqualTo(id);
            int i = Integer.parseInt(record.key().substring(1));
            assertThat(reader.deserialize(topic, record.value()).toString()).isEqualTo(customer(i).toString());
        });
    }

    @Test
    void pythonShouldReadWhatOurSerializerWroteWithTheRegisteredReferencingSchema() throws Exception {
        String topic = SchemaEvolutionIT.newTopic("interop-refs-java-to-python");
        int id = produceFromPython(topic, 0).path("schema_id").asInt();
        var client = new HttpSchemaRegistryClient(PYTHON.registry().url());

        // Auto-registration off: our writer holds the full schema and finds the version registered with a reference.
        try (KafkaProducer<String, GenericRecord> producer =
                     SchemaEvolutionIT.producer(new ConfluentAvroSerializer<GenericRecord>(client, false, false))) {
            for (int i = 0; i < 4; i++) {
                producer.send(new ProducerRecord<>(topic, "c" + i, customer(i))).get();
            }
        }
        List<JsonNode> lines = PYTHON.run("refs-consume", "--topic", topic, "--count", "4");

        assertThat(lines).hasSize(4).allSatisfy(line -> {
            assertThat(line.path("schema_id").asInt()).isEqualTo(id);
            int i = Integer.parseInt(line.path("key").asText().substring(1));
            JsonNode v = line.path("value");
            assertThat(v.path("name").asText()).isEqualTo("c" + i);
            assertThat(v.path("home").path("city").asText()).isEqualTo("city" + i);
            assertThat(v.path("home").path("zip").asInt()).isEqualTo(1000 + i);
            assertThat(v.path("work").isNull()).isEqualTo(i % 2 == 0);
            if (i % 2 == 1) {
                assertThat(v.path("work").path("zip").asInt()).isEqualTo(2000 + i);
            }
        });
    }

    private static JsonNode produceFromPython(String topic, int count) throws Exception {
        return PYTHON.run("refs-produce", "--topic", topic, "--count", Integer.toString(count),
                "--schema", ADDRESS.toAbsolutePath().toString(), "--schema2", CUSTOMER.toAbsolutePath().toString()).get(0);
    }

    /** What confluent_interop.py's customer(i) writes. */
    private static GenericRecord customer(int i) {
        GenericRecord c = new GenericData.Record(TestSchemas.customer());
        c.put("name", "c" + i);
        c.put("home", address("city" + i, 1000 + i));
        c.put("work", i % 2 == 0 ? null : address("work" + i, 2000 + i));
        return c;
    }

    private static GenericRecord address(String city, int zip) {
        GenericRecord a = new GenericData.Record(TestSchemas.address());
        a.put("city", city);
        a.put("zip", zip);
        return a;
    }
}
