package io.tenantindex.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.schemas.EmbeddedRegistries;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.TestSchemas;
import io.tenantindex.schemas.UsageEvent;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded registry's REST API over real HTTP, its Confluent error codes, and its durable state on a real broker. */
class EmbeddedSchemaRegistryIT {
    private static final String CT = RegistryHttp.CT;
    private static TopicSpec schemasTopic;
    private static EmbeddedSchemaRegistry registry;

    @BeforeAll
    static void start() {
        schemasTopic = EmbeddedRegistries.uniqueSchemasTopic();
        registry = EmbeddedRegistries.start(schemasTopic);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void shouldRegisterAndServeASchemaThroughTheConfluentApi() {
        String subject = "serve-value";
        HttpResponse<String> created = post(registry, "/subjects/" + subject + "/versions", body(TenantRegistration.getClassSchema()));
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith(CT));
        int id = json(created).path("id").intValue();
        assertThat(id).isPositive();
        long offsetAfterRegistration = EmbeddedRegistries.endOffset(schemasTopic);

        assertThat(json(get("/subjects/" + subject + "/versions")).toString()).isEqualTo("[1]");
        JsonNode latest = json(get("/subjects/" + subject + "/versions/latest"));
        assertThat(latest.path("subject").asText()).isEqualTo(subject);
        assertThat(latest.path("version").asInt()).isEqualTo(1);
        assertThat(latest.path("id").asInt()).isEqualTo(id);
        assertThat(new Schema.Parser().parse(latest.path("schema").asText())).isEqualTo(TenantRegistration.getClassSchema());
        assertThat(new Schema.Parser().parse(json(get("/schemas/ids/" + id)).path("schema").asText()))
                .isEqualTo(TenantRegistration.getClassSchema());
        JsonNode lookedUp = json(post(registry, "/subjects/" + subject, body(TenantRegistration.getClassSchema())));
        assertThat(lookedUp.path("id").asInt()).isEqualTo(id);
        assertThat(lookedUp.path("version").asInt()).isEqualTo(1);
        assertThat(json(get("/subjects"))).anySatisfy(s -> assertThat(s.asText()).isEqualTo(subject));

        // Registering the same schema again is idempotent and writes nothing.
        assertThat(json(post(registry, "/subjects/" + subject + "/versions", body(TenantRegistration.getClassSchema()))).path("id").asInt())
                .isEqualTo(id);
        assertThat(EmbeddedRegistries.endOffset(schemasTopic)).isEqualTo(offsetAfterRegistration);
    }

    @Test
    void shouldGiveTheSameSchemaTheSameIdUnderEverySubject() {
        int a = json(post(registry, "/subjects/same-a-value/versions", body(UsageEvent.getClassSchema()))).path("id").asInt();
        int b = json(post(registry, "/subjects/same-b-value/versions", body(UsageEvent.getClassSchema()))).path("id").asInt();
        int other = json(post(registry, "/subjects/same-c-value/versions", body(TestSchemas.v2()))).path("id").asInt();

        assertThat(b).isEqualTo(a);
        assertThat(other).isNotEqualTo(a);
    }

    @Test
    void shouldTreatAnAddedDefaultAsANewVersion() {
        Schema withoutDefault = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"D\",\"fields\":[{\"name\":\"n\",\"type\":\"int\"}]}");
        Schema withDefault = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"D\",\"fields\":[{\"name\":\"n\",\"type\":\"int\",\"default\":1}]}");
        int first = json(post(registry, "/subjects/default-value/versions", body(withoutDefault))).path("id").asInt();
        int second = json(post(registry, "/subjects/default-value/versions", body(withDefault))).path("id").asInt();

        assertThat(second).isNotEqualTo(first);
        assertThat(json(get("/subjects/default-value/versions")).toString()).isEqualTo("[1,2]");
        assertThat(json(get("/schemas/ids/" + second)).path("schema").asText()).contains("\"default\":1");
    }

    @Test
    void shouldAnswer409AndWriteNothingForAnIncompatibleSchema() {
        post(registry, "/subjects/incompatible-value/versions", body(TenantRegistration.getClassSchema()));
        long before = EmbeddedRegistries.endOffset(schemasTopic);

        HttpResponse<String> rejected = post(registry, "/subjects/incompatible-value/versions", body(TestSchemas.incompatibleNewField()));

        assertError(rejected, 409, 409);
        assertThat(EmbeddedRegistries.endOffset(schemasTopic)).isEqualTo(before);
        assertThat(json(get("/subjects/incompatible-value/versions")).toString()).isEqualTo("[1]");
    }

    @Test
    void shouldAnswer422ForAnInvalidSchema() {
        assertError(post(registry, "/subjects/invalid-value/versions", "{\"schema\":\"{\\\"type\\\":\\\"record\\\"}\"}"), 422, 42201);
        assertError(post(registry, "/subjects/invalid-value/versions", "{\"schema\":\"syntax = 3;\",\"schemaType\":\"PROTOBUF\"}"), 422, 42201);
        assertError(post(registry, "/subjects/invalid-value/versions", "{\"schemaa\":\"\\\"string\\\"\"}"), 422, 42201);
        assertError(post(registry, "/subjects/invalid-value/versions", "{not json"), 400, 400);
        assertError(get("/subjects/invalid-value/versions"), 404, 40401);
    }

    @Test
    void shouldAnswer404WithConfluentErrorCodes() {
        post(registry, "/subjects/known-value/versions", body(TenantRegistration.getClassSchema()));

        assertError(get("/subjects/unknown-value/versions"), 404, 40401);
        assertError(get("/subjects/unknown-value/versions/latest"), 404, 40401);
        assertError(get("/subjects/known-value/versions/99"), 404, 40402);
        assertError(get("/subjects/known-value/versions/abc"), 422, 42202);
        assertError(get("/schemas/ids/1234567"), 404, 40403);
        assertError(post(registry, "/subjects/known-value", body(UsageEvent.getClassSchema())), 404, 40403);
        assertError(post(registry, "/subjects/unknown-value", body(UsageEvent.getClassSchema())), 404, 40401);
        assertError(post(registry, "/compatibility/subjects/unknown-value/versions/latest", body(UsageEvent.getClassSchema())), 404, 40401);
        assertError(get("/no/such/route"), 404, 404);
    }

    @Test
    void shouldCheckCompatibilityAndHonourPerSubjectConfig() {
        String subject = "config-value";
        post(registry, "/subjects/" + subject + "/versions", body(TenantRegistration.getClassSchema()));

        assertThat(json(get("/config")).path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        assertThat(json(post(registry, "/compatibility/subjects/" + subject + "/versions/latest", body(TestSchemas.v2())))
                .path("is_compatible").asBoolean()).isTrue();
        assertThat(json(post(registry, "/compatibility/subjects/" + subject + "/versions/1", body(TestSchemas.incompatibleTypeChange())))
                .path("is_compatible").asBoolean()).isFalse();
        assertError(get("/config/" + subject), 404, 40408);
        assertThat(json(get("/config/" + subject + "?defaultToGlobal=true")).path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        assertError(put("/config/" + subject, "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203);

        assertThat(json(put("/config/" + subject, "{\"compatibility\":\"NONE\"}")).path("compatibility").asText()).isEqualTo("NONE");
        assertThat(json(get("/config/" + subject)).path("compatibilityLevel").asText()).isEqualTo("NONE");
        assertThat(json(get("/config")).path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        assertThat(post(registry, "/subjects/" + subject + "/versions", body(TestSchemas.incompatibleTypeChange())).statusCode())
                .isEqualTo(200);
        assertThat(json(get("/subjects/" + subject + "/versions")).toString()).isEqualTo("[1,2]");
    }

    @Test
    void shouldKeepIdsAcrossARestartAndShareThemWithASecondInstance() {
        TopicSpec topic = EmbeddedRegistries.uniqueSchemasTopic();
        int v1;
        int v2;
        try (EmbeddedSchemaRegistry first = EmbeddedRegistries.start(topic)) {
            v1 = json(post(first, "/subjects/shared-value/versions", body(TenantRegistration.getClassSchema()))).path("id").asInt();
            v2 = json(post(first, "/subjects/shared-value/versions", body(TestSchemas.v2()))).path("id").asInt();

            try (EmbeddedSchemaRegistry second = EmbeddedRegistries.start(topic)) {
                // Replayed at start: the same versions and ids.
                assertThat(json(Http.get(second.url() + "/subjects/shared-value/versions/2")).path("id").asInt()).isEqualTo(v2);
                // Tailed afterwards: a registration on the first instance shows up on the second.
                int usage = json(post(first, "/subjects/later-value/versions", body(UsageEvent.getClassSchema()))).path("id").asInt();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(Http.get(second.url() + "/schemas/ids/" + usage).statusCode()).isEqualTo(200));
                // The second instance knows the schema: registering it again there writes nothing.
                long before = EmbeddedRegistries.endOffset(topic);
                assertThat(json(post(second, "/subjects/shared-value/versions", body(TenantRegistration.getClassSchema())))
                        .path("id").asInt()).isEqualTo(v1);
                assertThat(EmbeddedRegistries.endOffset(topic)).isEqualTo(before);
            }
        }
        try (EmbeddedSchemaRegistry restarted = EmbeddedRegistries.start(topic)) {
            JsonNode latest = json(Http.get(restarted.url() + "/subjects/shared-value/versions/latest"));
            assertThat(latest.path("version").asInt()).isEqualTo(2);
            assertThat(latest.path("id").asInt()).isEqualTo(v2);
            assertThat(new Schema.Parser().parse(json(Http.get(restarted.url() + "/schemas/ids/" + v1)).path("schema").asText()))
                    .isEqualTo(TenantRegistration.getClassSchema());
        }
    }

    @Test
    void shouldSkipARecordItCannotApplyAndKeepRegisteringPromptly() {
        TopicSpec topic = EmbeddedRegistries.uniqueSchemasTopic();
        try (EmbeddedSchemaRegistry tailing = EmbeddedRegistries.start(topic)) {
            int before = json(post(tailing, "/subjects/before-value/versions", body(TenantRegistration.getClassSchema()))).path("id").asInt();
            // A schema event whose schema has a default of the wrong type: Avro rejects it with an
            // AvroTypeException (not a parse error), which the tailer meets while tailing.
            String poison = "{\"type\":\"record\",\"name\":\"P\",\"fields\":[{\"name\":\"n\",\"type\":\"int\",\"default\":\"x\"}]}";
            appendRaw(topic, "SCHEMA:poison-value:1", Json.MAPPER.createObjectNode().put("type", "SCHEMA")
                    .put("subject", "poison-value").put("version", 1).put("id", 7).put("schema", poison).toString());

            // The next registration is applied after the poison record: it completes only if the tailer survived it.
            CompletableFuture<HttpResponse<String>> after = CompletableFuture.supplyAsync(() ->
                    post(tailing, "/subjects/after-value/versions", body(UsageEvent.getClassSchema())));
            assertThat(after).succeedsWithin(Duration.ofSeconds(10))
                    .satisfies(r -> assertThat(r.statusCode()).as("registration after the poison record: %s", r.body()).isEqualTo(200));
            int usage = json(after.join()).path("id").asInt();
            assertError(Http.get(tailing.url() + "/subjects/poison-value/versions"), 404, 40401);

            // An instance that replays the poison record at start starts, and serves what was registered around it.
            try (EmbeddedSchemaRegistry replaying = EmbeddedRegistries.start(topic)) {
                assertThat(Http.get(replaying.url() + "/schemas/ids/" + before).statusCode()).isEqualTo(200);
                assertThat(Http.get(replaying.url() + "/schemas/ids/" + usage).statusCode()).isEqualTo(200);
                assertThat(json(post(replaying, "/subjects/replayed-value/versions", body(TestSchemas.v2()))).path("id").asInt())
                        .isPositive();
            }
        }
    }

    private static void appendRaw(TopicSpec topic, String key, String value) {
        Properties props = KafkaSettings.of(SharedKafka.bootstrapServers()).clientProperties();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic.name(), 0, key, value)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot append to " + topic.name(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String body(Schema schema) {
        return RegistryHttp.body(schema);
    }

    private static HttpResponse<String> get(String path) {
        return RegistryHttp.get(registry, path);
    }

    private static HttpResponse<String> post(EmbeddedSchemaRegistry target, String path, String body) {
        return RegistryHttp.post(target, path, body);
    }

    private static HttpResponse<String> put(String path, String body) {
        return RegistryHttp.put(registry, path, body);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return RegistryHttp.json(response);
    }

    private static void assertError(HttpResponse<String> response, int status, int errorCode) {
        RegistryHttp.assertError(response, status, errorCode);
    }
}
