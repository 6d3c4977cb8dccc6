package io.tenantindex.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.StubHttpServer.Reply;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry client over real HTTP against scripted servers: retries, auth, caching, tolerance, TLS. */
class HttpSchemaRegistryClientTest {
    private static final Schema SCHEMA = TenantRegistration.getClassSchema();
    private static final String SUBJECT = "tenant-index-value";
    /** Above 2^31 / 2: ids are opaque, neither small nor sequential. */
    private static final int BIG_ID = 2_000_000_123;

    private static RegistryClientConfig fast(String url) {
        return RegistryClientConfig.of(url).withRetries(3, Duration.ofMillis(1), Duration.ofMillis(5));
    }

    @Test
    void shouldRetryOn503AndThenSucceed() {
        AtomicInteger calls = new AtomicInteger();
        try (StubHttpServer server = StubHttpServer.http(req -> calls.incrementAndGet() <= 2
                ? Reply.json(503, "{\"error_code\":50003,\"message\":\"Error while forwarding the request to the leader\"}")
                : Reply.json(200, "{\"id\":" + BIG_ID + ",\"guid\":\"unknown-field-is-fine\"}"))) {
            var client = new HttpSchemaRegistryClient(fast(server.url()));

            assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(BIG_ID);
            assertThat(server.requests()).hasSize(3)
                    .allSatisfy(r -> assertThat(r.rawPath()).isEqualTo("/subjects/tenant-index-value/versions"));
        }
    }

    @Test
    void shouldGiveUpAfterTheConfiguredNumberOfAttempts() {
        try (StubHttpServer server = StubHttpServer.http(req -> new Reply(503, "text/html", "<html>Service Unavailable</html>"))) {
            var client = new HttpSchemaRegistryClient(fast(server.url()));

            assertThatThrownBy(() -> client.getById(5))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(503);
                        assertThat(e.retriable()).isTrue();
                        assertThat(e.getMessage()).contains("Service Unavailable");
                    });
            assertThat(server.requests()).hasSize(3);
        }
    }

    @Test
    void shouldNotRetryADefinitiveAnswer() {
        try (StubHttpServer server = StubHttpServer.http(req -> Reply.json(409,
                "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}"))) {
            var client = new HttpSchemaRegistryClient(fast(server.url()));

            assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(409);
                        assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                        assertThat(e.retriable()).isFalse();
                    });
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void shouldFailOverToTheNextUrlWhenARegistryIsUnreachable() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (StubHttpServer server = StubHttpServer.http(req -> Reply.json(200, "{\"id\":" + BIG_ID + "}"))) {
            var client = new HttpSchemaRegistryClient(fast("http://127.0.0.1:" + deadPort + "," + server.url()));

            assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(BIG_ID);
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void shouldSendBasicAuthAndTheConfluentContentType() {
        try (StubHttpServer server = StubHttpServer.http(req -> Reply.json(200, "{\"id\":7}"))) {
            var client = new HttpSchemaRegistryClient(fast(server.url()).withBasicAuth("user:s3cr3t"));

            client.register(SUBJECT, SCHEMA);

            StubHttpServer.Request req = server.requests().get(0);
            assertThat(req.method()).isEqualTo("POST");
            assertThat(req.header("Authorization")).isEqualTo("Basic dXNlcjpzM2NyM3Q=");
            assertThat(req.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
            assertThat(req.header("Accept")).startsWith("application/vnd.schemaregistry.v1+json");
            assertThat(new Schema.Parser().parse(io.tenantindex.common.Json.MAPPER.readTree(req.body()).path("schema").asText()))
                    .isEqualTo(SCHEMA);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldSendABearerToken() {
        try (StubHttpServer server = StubHttpServer.http(req -> Reply.json(200, "{\"compatibilityLevel\":\"BACKWARD\"}"))) {
            var client = new HttpSchemaRegistryClient(fast(server.url()).withBearerToken("tok-123"));

            client.compatibility(null);

            assertThat(server.requests().get(0).header("Authorization")).isEqualTo("Bearer tok-123");
            assertThat(server.requests().get(0).header("Content-Type")).isNull();
        }
    }

    @Test
    void shouldRememberBrieflyThatASchemaIsNotRegisteredInsteadOfAskingPerRecord() {
        try (StubHttpServer server = StubHttpServer.http(req ->
                Reply.json(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}"))) {
            var client = new HttpSchemaRegistryClient(fast(server.url()));
            for (int i = 0; i < 50; i++) {
                assertThatThrownBy(() -> client.lookupId(SUBJECT, SCHEMA))
                        .isInstanceOfSatisfying(SchemaRegistryException.class,
                                e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
            }
            assertThat(server.requests()).as("one request, then the remembered answer").hasSize(1);
        }
    }

    @Test
    void shouldServeTheHotPathFromCacheInBothDirections() {
        Map<String, Reply> replies = Map.of(
                "POST /subjects/tenant-index-value/versions", Reply.json(200, "{\"id\":" + BIG_ID + "}"),
                "GET /schemas/ids/77", Reply.json(200, io.tenantindex.common.Json.MAPPER.createObjectNode()
                        .put("schema", SCHEMA.toString()).put("maxId", 99).toString()));
        try (StubHttpServer server = StubHttpServer.http(req -> replies.getOrDefault(req.method() + " " + req.rawPath(),
                Reply.json(404, "{\"error_code\":404,\"message\":\"unexpected\"}")))) {
            var client = new HttpSchemaRegistryClient(fast(server.url()));

            assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(BIG_ID);
            assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(BIG_ID);
            assertThat(client.lookupId(SUBJECT, SCHEMA)).isEqualTo(BIG_ID);
            assertThat(client.getById(BIG_ID)).isEqualTo(SCHEMA);
            assertThat(client.getById(77)).isEqualTo(SCHEMA);
            assertThat(client.getById(77)).isEqualTo(SCHEMA);

            assertThat(server.requests()).extracting(r -> r.method() + " " + r.rawPath())
                    .containsExactly("POST /subjects/tenant-index-value/versions", "GET /schemas/ids/77");
        }
    }

    @Test
    void shouldAcceptBothNamesOfTheCompatibilityField() {
        Map<String, Reply> replies = Map.of(
                "GET /config", Reply.json(200, "{\"compatibility\":\"FULL\"}"),
                "GET /config/s?defaultToGlobal=true", Reply.json(200, "{\"compatibilityLevel\":\"NONE\",\"alias\":null}"),
                "PUT /config/s", Reply.json(200, "{\"compatibilityLevel\":\"forward\"}"));
        try (StubHttpServer server = StubHttpServer.http(req -> replies.get(req.method() + " " + req.rawPath()))) {
            var client = new HttpSchemaRegistryClient(fast(server.url()));

            assertThat(client.compatibility(null)).isEqualTo(CompatibilityLevel.FULL);
            assertThat(client.compatibility("s")).isEqualTo(CompatibilityLevel.NONE);
            assertThat(client.setCompatibility("s", CompatibilityLevel.FORWARD)).isEqualTo(CompatibilityLevel.FORWARD);
            assertThat(server.requests().get(2).body()).isEqualTo("{\"compatibility\":\"FORWARD\"}");
        }
    }

    @Test
    void shouldEncodeTheSubjectAsOnePathSegment() {
        try (StubHttpServer server = StubHttpServer.http(req -> Reply.json(200, "{\"id\":1}"))) {
            new HttpSchemaRegistryClient(fast(server.url())).register("my topic+x/y-value", SCHEMA);

            assertThat(server.requests().get(0).rawPath()).isEqualTo("/subjects/my%20topic%2Bx%2Fy-value/versions");
        }
    }

    @Test
    void shouldRefuseANonAvroSchema() {
        try (StubHttpServer server = StubHttpServer.http(req -> Reply.json(200,
                "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}"))) {
            var client = new HttpSchemaRegistryClient(fast(server.url()));

            // A definitive answer: a record pointing at this id is poison, not a registry outage.
            assertThatThrownBy(() -> client.getById(3))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.retriable()).isFalse())
                    .hasMessageContaining("PROTOBUF");
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void shouldTrustTheConfiguredTruststoreOverHttps(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        try (StubHttpServer server = StubHttpServer.https(certs.serverContext(),
                req -> Reply.json(200, "{\"compatibilityLevel\":\"BACKWARD\"}"))) {
            Settings settings = Settings.of(Map.of(
                    ConfigKeys.REGISTRY_URL, server.url(),
                    ConfigKeys.REGISTRY_TRUSTSTORE_LOCATION, certs.truststore().toString(),
                    ConfigKeys.REGISTRY_TRUSTSTORE_PASSWORD, TestCertificates.PASSWORD,
                    ConfigKeys.REGISTRY_BASIC_AUTH_USER_INFO, "user:s3cr3t",
                    ConfigKeys.REGISTRY_RETRY_MAX_ATTEMPTS, "1"));

            assertThat(new HttpSchemaRegistryClient(RegistryClientConfig.from(settings)).compatibility(null))
                    .isEqualTo(CompatibilityLevel.BACKWARD);
            assertThat(server.requests().get(0).header("Authorization")).isEqualTo("Basic dXNlcjpzM2NyM3Q=");

            var untrusting = new HttpSchemaRegistryClient(RegistryClientConfig.of(server.url())
                    .withRetries(1, Duration.ZERO, Duration.ZERO));
            assertThatThrownBy(() -> untrusting.compatibility(null))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("unreachable");
            assertThat(server.requests()).hasSize(1);
        }
    }
}
