package io.tenantindex.schemas.registry;

import static io.tenantindex.schemas.registry.RegistryHttp.assertError;
import static io.tenantindex.schemas.registry.RegistryHttp.body;
import static io.tenantindex.schemas.registry.RegistryHttp.delete;
import static io.tenantindex.schemas.registry.RegistryHttp.get;
import static io.tenantindex.schemas.registry.RegistryHttp.json;
import static io.tenantindex.schemas.registry.RegistryHttp.post;
import static io.tenantindex.schemas.registry.RegistryHttp.put;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.schemas.EmbeddedRegistries;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.TestSchemas;
import io.tenantindex.schemas.UsageEvent;
import io.tenantindex.testing.Http;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The registry's deletes, config deletes and modes over real HTTP with Confluent's error codes,
 * and their durability: each test ends by restarting the registry on the same {@code _schemas}
 * topic and seeing the same state replayed.
 */
class RegistryDeletesAndModesIT {
    private static final Schema V1 = TenantRegistration.getClassSchema();
    private static final Schema V2 = TestSchemas.v2();

    private static int register(EmbeddedSchemaRegistry r, String subject, Schema schema) {
        return json(post(r, "/subjects/" + subject + "/versions", body(schema))).path("id").asInt();
    }

    @Test
    void shouldSoftDeleteThenPermanentlyDeleteVersionsAndSubjectsAsConfluentDoes() {
        TopicSpec topic = EmbeddedRegistries.uniqueSchemasTopic();
        int id1;
        int id2;
        try (EmbeddedSchemaRegistry r = EmbeddedRegistries.start(topic)) {
            id1 = register(r, "d-value", V1);
            id2 = register(r, "d-value", V2);
            register(r, "gone-value", UsageEvent.getClassSchema());

            assertError(delete(r, "/subjects/d-value/versions/1?permanent=true"), 404, 40407);
            assertThat(json(delete(r, "/subjects/d-value/versions/1")).asInt()).isEqualTo(1);
            assertError(delete(r, "/subjects/d-value/versions/1"), 404, 40406);
            assertError(delete(r, "/subjects/d-value/versions/9"), 404, 40402);
            assertError(delete(r, "/subjects/d-value/versions/x"), 422, 42202);
            assertError(delete(r, "/subjects/nobody-value/versions/1"), 404, 40401);
            assertThat(json(get(r, "/subjects/d-value/versions")).toString()).isEqualTo("[2]");
            assertThat(json(get(r, "/subjects/d-value/versions?deleted=true")).toString()).isEqualTo("[1,2]");
            assertError(get(r, "/subjects/d-value/versions/1"), 404, 40402);
            assertThat(json(get(r, "/subjects/d-value/versions/1?deleted=true")).path("id").asInt()).isEqualTo(id1);
            // A soft-deleted schema stays readable by id: records written with it still decode.
            assertThat(json(get(r, "/schemas/ids/" + id1)).path("schema").asText()).isEqualTo(V1.toString());
            assertError(post(r, "/subjects/d-value", body(V1)), 404, 40403);
            assertThat(json(post(r, "/subjects/d-value?deleted=true", body(V1))).path("version").asInt()).isEqualTo(1);

            assertError(delete(r, "/subjects/d-value?permanent=true"), 404, 40405);
            assertThat(json(delete(r, "/subjects/d-value")).toString()).isEqualTo("[2]");
            assertError(delete(r, "/subjects/d-value"), 404, 40404);
            assertError(get(r, "/subjects/d-value/versions"), 404, 40401);
            assertThat(json(get(r, "/subjects"))).extracting(JsonNode::asText).doesNotContain("d-value").contains("gone-value");
            assertThat(json(get(r, "/subjects?deleted=true"))).extracting(JsonNode::asText).contains("d-value", "gone-value");

            // The numbers of soft-deleted versions are not reused.
            assertThat(register(r, "gone-value", UsageEvent.getClassSchema())).isPositive();
            json(delete(r, "/subjects/gone-value"));
            json(delete(r, "/subjects/gone-value?permanent=true"));
            assertError(get(r, "/subjects/gone-value/versions?deleted=true"), 404, 40401);
            assertError(delete(r, "/subjects/gone-value"), 404, 40401);
            assertThat(register(r, "gone-value", V1)).isEqualTo(id1);
            assertThat(json(get(r, "/subjects/gone-value/versions")).toString()).isEqualTo("[1]");
        }
        try (EmbeddedSchemaRegistry restarted = EmbeddedRegistries.start(topic)) {
            assertThat(json(get(restarted, "/subjects?deleted=true"))).extracting(JsonNode::asText).containsExactly("d-value", "gone-value");
            assertThat(json(get(restarted, "/subjects"))).extracting(JsonNode::asText).containsExactly("gone-value");
            assertThat(json(get(restarted, "/subjects/d-value/versions?deleted=true")).toString()).isEqualTo("[1,2]");
            assertThat(json(get(restarted, "/subjects/d-value/versions/2?deleted=true")).path("id").asInt()).isEqualTo(id2);
            assertThat(json(delete(restarted, "/subjects/d-value/versions/2?permanent=true")).asInt()).isEqualTo(2);
            assertThat(json(get(restarted, "/subjects/d-value/versions?deleted=true")).toString()).isEqualTo("[1]");
            // V2 was held only by d-value version 2: permanently deleted, its id is gone.
            assertError(get(restarted, "/schemas/ids/" + id2), 404, 40403);
        }
        try (EmbeddedSchemaRegistry again = EmbeddedRegistries.start(topic)) {
            assertError(get(again, "/schemas/ids/" + id2), 404, 40403);
            assertThat(json(get(again, "/subjects/d-value/versions?deleted=true")).toString()).isEqualTo("[1]");
        }
    }

    @Test
    void shouldDeleteConfigBackToTheGlobalLevelAndRememberItAfterARestart() {
        TopicSpec topic = EmbeddedRegistries.uniqueSchemasTopic();
        try (EmbeddedSchemaRegistry r = EmbeddedRegistries.start(topic)) {
            register(r, "c-value", V1);
            json(put(r, "/config", "{\"compatibility\":\"FULL\"}"));
            json(put(r, "/config/c-value", "{\"compatibility\":\"NONE\"}"));
            json(put(r, "/config/kept-value", "{\"compatibility\":\"FORWARD\"}"));

            assertThat(json(delete(r, "/config/c-value")).path("compatibilityLevel").asText()).isEqualTo("NONE");
            assertError(get(r, "/config/c-value"), 404, 40408);
            assertThat(json(get(r, "/config/c-value?defaultToGlobal=true")).path("compatibilityLevel").asText()).isEqualTo("FULL");
            assertError(delete(r, "/config/nobody-value"), 404, 40401);
            assertThat(json(delete(r, "/config")).path("compatibilityLevel").asText()).isEqualTo("FULL");
            assertThat(json(get(r, "/config")).path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        }
        try (EmbeddedSchemaRegistry restarted = EmbeddedRegistries.start(topic)) {
            assertThat(json(get(restarted, "/config")).path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
            assertError(get(restarted, "/config/c-value"), 404, 40408);
            assertThat(json(get(restarted, "/config/kept-value")).path("compatibilityLevel").asText()).isEqualTo("FORWARD");
        }
    }

    @Test
    void shouldRefuseWritesWhenReadOnlyAndImportGivenIdsAndVersions() {
        TopicSpec topic = EmbeddedRegistries.uniqueSchemasTopic();
        try (EmbeddedSchemaRegistry r = EmbeddedRegistries.start(topic)) {
            assertThat(json(get(r, "/mode")).path("mode").asText()).isEqualTo("READWRITE");
            assertError(put(r, "/mode", "{\"mode\":\"SIDEWAYS\"}"), 422, 42204);
            assertError(post(r, "/subjects/i-value/versions", withIdAndVersion(V1, 4242, 3)), 422, 42205);

            assertThat(json(put(r, "/mode/i-value", "{\"mode\":\"IMPORT\"}")).path("mode").asText()).isEqualTo("IMPORT");
            assertThat(json(post(r, "/subjects/i-value/versions", withIdAndVersion(V1, 4242, 3))).path("id").asInt()).isEqualTo(4242);
            // An imported id is the schema's id everywhere; a taken id or version cannot be overwritten.
            assertThat(json(get(r, "/subjects/i-value/versions/3")).path("id").asInt()).isEqualTo(4242);
            assertError(post(r, "/subjects/i-value/versions", withIdAndVersion(V2, 4242, 4)), 422, 42205);
            assertError(post(r, "/subjects/i-value/versions", withIdAndVersion(V2, 4343, 3)), 422, 42205);
            assertError(post(r, "/subjects/i-value/versions", withIdAndVersion(V1, 4444, 5)), 422, 42207);
            assertThat(register(r, "other-value", V1)).isEqualTo(4242);
            // IMPORT skips compatibility checks.
            assertThat(json(post(r, "/subjects/i-value/versions", body(TestSchemas.incompatibleTypeChange()))).path("id").asInt())
                    .isPositive();
            assertThat(json(get(r, "/subjects/i-value/versions")).toString()).isEqualTo("[3,4]");

            assertError(put(r, "/mode", "{\"mode\":\"IMPORT\"}"), 422, 42205);
            assertError(get(r, "/mode/other-value"), 404, 40409);
            assertThat(json(get(r, "/mode/other-value?defaultToGlobal=true")).path("mode").asText()).isEqualTo("READWRITE");
            json(put(r, "/mode", "{\"mode\":\"READONLY\"}"));
            assertError(post(r, "/subjects/other-value/versions", body(V2)), 422, 42205);
            assertError(delete(r, "/subjects/other-value"), 422, 42205);
        }
        try (EmbeddedSchemaRegistry restarted = EmbeddedRegistries.start(topic)) {
            assertThat(json(get(restarted, "/mode")).path("mode").asText()).isEqualTo("READONLY");
            assertThat(json(get(restarted, "/mode/i-value")).path("mode").asText()).isEqualTo("IMPORT");
            assertThat(json(delete(restarted, "/mode/i-value")).path("mode").asText()).isEqualTo("IMPORT");
            assertError(post(restarted, "/subjects/i-value/versions", body(V2)), 422, 42205);
            assertThat(json(put(restarted, "/mode?force=true", "{\"mode\":\"READWRITE\"}")).path("mode").asText()).isEqualTo("READWRITE");
            assertThat(json(get(restarted, "/subjects/i-value/versions/3")).path("id").asInt()).isEqualTo(4242);
        }
    }

    @Test
    void shouldServeSchemasByIdTypesRawSchemasAndVerboseCompatibility() {
        try (EmbeddedSchemaRegistry r = EmbeddedRegistries.start(EmbeddedRegistries.uniqueSchemasTopic())) {
            int id = register(r, "a-value", V1);
            register(r, "b-value", V1);
            int v2 = register(r, "b-value", V2);

            assertThat(json(get(r, "/schemas/types")).toString()).isEqualTo("[\"AVRO\"]");
            assertThat(json(get(r, "/schemas/ids/" + id + "/subjects")).toString()).isEqualTo("[\"a-value\",\"b-value\"]");
            assertThat(json(get(r, "/schemas/ids/" + id + "/versions")).toString())
                    .isEqualTo("[{\"subject\":\"a-value\",\"version\":1},{\"subject\":\"b-value\",\"version\":1}]");
            assertThat(new Schema.Parser().parse(get(r, "/schemas/ids/" + v2 + "/schema").body())).isEqualTo(V2);
            assertThat(new Schema.Parser().parse(get(r, "/subjects/b-value/versions/latest/schema").body())).isEqualTo(V2);
            assertThat(json(get(r, "/subjects/b-value/versions/1/referencedby")).toString()).isEqualTo("[]");
            assertError(get(r, "/schemas/ids/" + id + "0/subjects"), 404, 40403);
            JsonNode all = json(get(r, "/schemas"));
            assertThat(all).extracting(n -> n.path("subject").asText() + "/" + n.path("version").asInt())
                    .containsExactly("a-value/1", "b-value/1", "b-value/2");
            assertThat(json(get(r, "/schemas?subjectPrefix=b-&latestOnly=true"))).singleElement()
                    .satisfies(n -> assertThat(n.path("id").asInt()).isEqualTo(v2));

            JsonNode verbose = json(post(r, "/compatibility/subjects/b-value/versions?verbose=true",
                    body(TestSchemas.incompatibleTypeChange())));
            assertThat(verbose.path("is_compatible").asBoolean()).isFalse();
            assertThat(verbose.path("messages")).isNotEmpty().allSatisfy(m -> assertThat(m.asText()).contains("BACKWARD"));
            JsonNode fine = json(post(r, "/compatibility/subjects/b-value/versions?verbose=true&normalize=true", body(V2)));
            assertThat(fine.path("is_compatible").asBoolean()).isTrue();
            assertThat(fine.path("messages")).isEmpty();
            assertThat(json(post(r, "/compatibility/subjects/new-value/versions", body(V2))).path("is_compatible").asBoolean()).isTrue();
            assertError(post(r, "/compatibility/subjects/new-value/versions/latest", body(V2)), 404, 40401);
            // normalize=true: a differently spelled but equal schema is the same schema.
            String spaced = Json.MAPPER.createObjectNode().put("schema", V1.toString(true)).toString();
            assertThat(json(post(r, "/subjects/a-value/versions?normalize=true", spaced)).path("id").asInt()).isEqualTo(id);

            String metrics = Http.get(r.url() + "/metrics").body();
            assertThat(metrics).contains("schema_registry_subjects{service=\"schema-registry\"} 2.0")
                    .contains("schema_registry_requests_seconds_count{method=\"POST\",resource=\"subjects\"")
                    .contains("jvm_memory_used_bytes");
        }
    }

    private static String withIdAndVersion(Schema schema, int id, int version) {
        return Json.MAPPER.createObjectNode().put("schema", schema.toString()).put("id", id).put("version", version).toString();
    }
}
