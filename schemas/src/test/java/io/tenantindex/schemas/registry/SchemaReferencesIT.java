package io.tenantindex.schemas.registry;

import static io.tenantindex.schemas.registry.RegistryHttp.assertError;
import static io.tenantindex.schemas.registry.RegistryHttp.body;
import static io.tenantindex.schemas.registry.RegistryHttp.delete;
import static io.tenantindex.schemas.registry.RegistryHttp.get;
import static io.tenantindex.schemas.registry.RegistryHttp.json;
import static io.tenantindex.schemas.registry.RegistryHttp.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.schemas.EmbeddedRegistries;
import io.tenantindex.schemas.TestSchemas;
import io.tenantindex.schemas.serde.ConfluentAvroDeserializer;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import io.tenantindex.schemas.serde.SerdeConfig;
import io.tenantindex.schemas.serde.SubjectNameStrategy;
import io.tenantindex.schemas.serde.WireFormat;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Schema references on the embedded registry: a schema naming a record type registered under
 * another subject is resolved, served with its references, protects what it references from
 * deletion, survives a restart, and our serde writes and reads records with it.
 */
class SchemaReferencesIT {
    private static final String ADDRESS = "io.tenantindex.test.Address";

    static String customerBody(String addressSubject, int version) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("schema", TestSchemas.customerText());
        body.putArray("references").addObject().put("name", ADDRESS).put("subject", addressSubject).put("version", version);
        return body.toString();
    }

    @Test
    void shouldResolveServeAndProtectAReferencedSchemaAcrossARestart() {
        TopicSpec topic = EmbeddedRegistries.uniqueSchemasTopic();
        int customerId;
        try (EmbeddedSchemaRegistry r = EmbeddedRegistries.start(topic)) {
            int addressId = json(post(r, "/subjects/address-value/versions", body(TestSchemas.address()))).path("id").asInt();
            assertError(post(r, "/subjects/customer-value/versions", customerBody("address-value", 2)), 422, 42201);
            assertError(post(r, "/subjects/customer-value/versions",
                    Json.MAPPER.createObjectNode().put("schema", TestSchemas.customerText()).toString()), 422, 42201);

            customerId = json(post(r, "/subjects/customer-value/versions", customerBody("address-value", 1))).path("id").asInt();

            assertThat(customerId).isNotEqualTo(addressId);
            JsonNode latest = json(get(r, "/subjects/customer-value/versions/latest"));
            assertThat(latest.path("references").toString())
                    .isEqualTo("[{\"name\":\"" + ADDRESS + "\",\"subject\":\"address-value\",\"version\":1}]");
            // Stored naming Address, not repeating it.
            assertThat(latest.path("schema").asText()).doesNotContain("\"zip\"").contains(ADDRESS);
            assertThat(json(get(r, "/schemas/ids/" + customerId)).path("references")).hasSize(1);
            assertThat(json(get(r, "/subjects/address-value/versions/1/referencedby")).toString()).isEqualTo("[" + customerId + "]");
            // Registering it again is idempotent; a client holding only the full schema finds it too.
            assertThat(json(post(r, "/subjects/customer-value/versions", customerBody("address-value", 1))).path("id").asInt())
                    .isEqualTo(customerId);
            assertThat(json(post(r, "/subjects/customer-value", body(TestSchemas.customer()))).path("id").asInt()).isEqualTo(customerId);
            assertThat(json(post(r, "/compatibility/subjects/customer-value/versions/latest", customerBody("address-value", 1)))
                    .path("is_compatible").asBoolean()).isTrue();

            assertError(delete(r, "/subjects/address-value/versions/1"), 422, 42206);
            assertError(delete(r, "/subjects/address-value"), 422, 42206);
        }
        try (EmbeddedSchemaRegistry restarted = EmbeddedRegistries.start(topic)) {
            assertThat(json(get(restarted, "/subjects/address-value/versions/1/referencedby")).toString())
                    .isEqualTo("[" + customerId + "]");
            var client = new HttpSchemaRegistryClient(restarted.url());
            assertThat(client.getById(customerId)).isEqualTo(TestSchemas.customer());

            // Our serde: the writer holds the full schema and only looks it up; the reader resolves the references.
            GenericRecord customer = new GenericData.Record(TestSchemas.customer());
            GenericRecord home = new GenericData.Record(TestSchemas.address());
            home.put("city", "Lisbon");
            home.put("zip", 1100);
            customer.put("name", "ana");
            customer.put("home", home);
            byte[] written = new ConfluentAvroSerializer<GenericRecord>(client, false, false).serialize("customer", customer);
            var reader = ConfluentAvroDeserializer.generic(new HttpSchemaRegistryClient(restarted.url()));
            GenericRecord read = (GenericRecord) reader.deserialize("customer", written);
            assertThat(read.toString()).isEqualTo(customer.toString());
            assertThat(((GenericRecord) read.get("home")).getSchema().getFullName()).isEqualTo(ADDRESS);
            SerdeConfig latest = new SerdeConfig(false, true, SubjectNameStrategy.TOPIC, SubjectNameStrategy.TOPIC, false);
            byte[] withLatest = new ConfluentAvroSerializer<GenericRecord>(client, latest, false).serialize("customer", customer);
            assertThat(WireFormat.schemaId(withLatest)).isEqualTo(customerId);
            assertThat(reader.deserialize("customer", withLatest).toString()).isEqualTo(customer.toString());

            json(delete(restarted, "/subjects/customer-value"));
            assertThat(json(get(restarted, "/subjects/address-value/versions/1/referencedby")).toString()).isEqualTo("[]");
            assertThat(json(delete(restarted, "/subjects/address-value")).toString()).isEqualTo("[1]");
        }
    }
}
