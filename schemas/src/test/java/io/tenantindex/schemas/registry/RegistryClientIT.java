package io.tenantindex.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.schemas.EmbeddedRegistries;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.TestSchemas;
import io.tenantindex.schemas.registry.StubHttpServer.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our client against the embedded registry over real HTTP, through a counting proxy: the hot path
 * is served from cache (no second request), and the admin calls speak the registry's API.
 */
class RegistryClientIT {
    private static final Schema V1 = TenantRegistration.getClassSchema();
    private static EmbeddedSchemaRegistry registry;
    private static StubHttpServer proxy;

    @BeforeAll
    static void start() {
        registry = EmbeddedRegistries.start(EmbeddedRegistries.uniqueSchemasTopic());
        HttpClient forward = HttpClient.newHttpClient();
        proxy = StubHttpServer.http(req -> {
            HttpRequest.Builder out = HttpRequest.newBuilder(URI.create(registry.url() + req.rawPath()))
                    .method(req.method(), req.body().isEmpty() ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(req.body()));
            if (req.header("Content-Type") != null) {
                out.header("Content-Type", req.header("Content-Type"));
            }
            try {
                HttpResponse<String> answer = forward.send(out.build(), HttpResponse.BodyHandlers.ofString());
                return new Reply(answer.statusCode(), answer.headers().firstValue("Content-Type").orElse("text/plain"), answer.body());
            } catch (IOException | InterruptedException e) {
                return new Reply(502, "text/plain", e.toString());
            }
        });
    }

    @AfterAll
    static void stop() {
        proxy.close();
        registry.close();
    }

    private static long requests(String method, String path) {
        return proxy.requests().stream().filter(r -> r.method().equals(method) && r.rawPath().equals(path)).count();
    }

    @Test
    void shouldNotAskTheRegistryAgainForAKnownSchemaOrId() {
        var writer = new HttpSchemaRegistryClient(proxy.url());
        int id = writer.register("cache-value", V1);
        assertThat(writer.register("cache-value", V1)).isEqualTo(id);
        assertThat(writer.lookupId("cache-value", V1)).isEqualTo(id);
        assertThat(writer.getById(id)).isEqualTo(V1);
        assertThat(requests("POST", "/subjects/cache-value/versions")).isEqualTo(1);
        assertThat(requests("POST", "/subjects/cache-value")).isZero();
        assertThat(requests("GET", "/schemas/ids/" + id)).isZero();

        var reader = new HttpSchemaRegistryClient(proxy.url());
        assertThat(reader.getById(id)).isEqualTo(V1);
        assertThat(reader.getById(id)).isEqualTo(V1);
        assertThat(reader.lookupId("cache-value", V1)).isEqualTo(id);
        assertThat(reader.lookupId("cache-value", V1)).isEqualTo(id);
        assertThat(requests("GET", "/schemas/ids/" + id)).isEqualTo(1);
        assertThat(requests("POST", "/subjects/cache-value")).isEqualTo(1);
    }

    @Test
    void shouldReadVersionsLatestCompatibilityAndConfig() {
        var client = new HttpSchemaRegistryClient(proxy.url());
        int v1 = client.register("admin-value", V1);
        int v2 = client.register("admin-value", TestSchemas.v2());

        assertThat(client.versions("admin-value")).containsExactly(1, 2);
        assertThat(client.latest("admin-value")).isEqualTo(new RegisteredSchema("admin-value", 2, v2, TestSchemas.v2()));
        assertThat(client.version("admin-value", 1)).isEqualTo(new RegisteredSchema("admin-value", 1, v1, V1));
        assertThat(client.lookup("admin-value", V1).version()).isEqualTo(1);
        assertThat(client.subjects()).contains("admin-value");
        assertThat(client.isCompatible("admin-value", V1)).isTrue();
        assertThat(client.isCompatible("admin-value", TestSchemas.incompatibleTypeChange())).isFalse();

        assertThat(client.compatibility(null)).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(client.compatibility("admin-value")).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(client.setCompatibility("admin-value", CompatibilityLevel.FULL)).isEqualTo(CompatibilityLevel.FULL);
        assertThat(client.compatibility("admin-value")).isEqualTo(CompatibilityLevel.FULL);
        assertThat(client.compatibility(null)).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @Test
    void shouldSurfaceRegistryErrorsWithTheirCodesWithoutRetrying() {
        var client = new HttpSchemaRegistryClient(proxy.url());
        client.register("errors-value", V1);

        assertThatThrownBy(() -> client.register("errors-value", TestSchemas.incompatibleNewField()))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                });
        assertThatThrownBy(() -> client.lookupId("errors-value", TestSchemas.v2()))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
        assertThatThrownBy(() -> client.versions("no-such-value"))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
        assertThatThrownBy(() -> client.getById(17))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
        assertThat(requests("POST", "/subjects/errors-value/versions")).isEqualTo(2);
        assertThat(List.of(requests("POST", "/subjects/errors-value"), requests("GET", "/schemas/ids/17"))).containsExactly(1L, 1L);
    }
}
