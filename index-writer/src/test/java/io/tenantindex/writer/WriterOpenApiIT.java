package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.http.ClasspathResources;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.OpenApiRoutes;
import io.tenantindex.testing.SharedKafka;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every route the running writer serves is in its OpenAPI document, and the document invents none;
 * the operations it marks as needing a bearer token are exactly those that answer 401 without one.
 */
class WriterOpenApiIT {
    @Test
    void shouldDocumentEveryRegisteredRouteInOpenApiJson() {
        String topic = SharedKafka.uniqueName("openapi");
        try (WriterApp app = WriterApp.start(WriterConfig.from(WriterFixture.settings(topic, 3, SharedKafka.uniqueName("w")).with(Map.of(
                ConfigKeys.AUTH_DISABLED, "false",
                ConfigKeys.WRITER_TOKEN, "writer-token-0123456789",
                ConfigKeys.ADMIN_TOKEN, "admin-token-0123456789"))))) {
            HttpResponse<String> doc = Http.get("http://127.0.0.1:" + app.port() + ClasspathResources.OPENAPI_PATH);
            assertThat(doc.statusCode()).isEqualTo(200);
            assertThat(doc.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            assertThat(doc.body()).isEqualTo(new String(ClasspathResources.read("openapi/index-writer.json"), StandardCharsets.UTF_8));

            var registered = OpenApiRoutes.registered(app.http());
            var documented = OpenApiRoutes.documented(doc.body());
            assertThat(registered).contains("PUT /tenants/{tenantId}", "GET /status.json", "GET /openapi.json");
            assertThat(documented).as("documented routes").containsAll(registered);
            assertThat(registered).as("routes the server really has").containsAll(documented);

            var secured = OpenApiRoutes.secured(doc.body());
            assertThat(secured).contains("PUT /tenants/{tenantId}", "POST /tenants:import");
            OpenApiRoutes.refusedWithoutToken("http://127.0.0.1:" + app.port(), documented).forEach((operation, refused) ->
                    assertThat(refused).as("%s answers 401 without a token", operation).isEqualTo(secured.contains(operation)));
        }
    }
}
