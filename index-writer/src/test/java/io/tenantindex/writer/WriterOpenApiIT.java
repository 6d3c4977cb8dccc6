package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.http.ClasspathResources;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.OpenApiRoutes;
import io.tenantindex.testing.SharedKafka;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every route the running writer serves is in its OpenAPI document, and the document invents none. */
class WriterOpenApiIT {
    @Test
    void shouldDocumentEveryRegisteredRouteInOpenApiJson() {
        try (WriterApp app = WriterFixture.start(SharedKafka.uniqueName("openapi"), SharedKafka.uniqueName("w"))) {
            HttpResponse<String> doc = Http.get("http://127.0.0.1:" + app.port() + ClasspathResources.OPENAPI_PATH);
            assertThat(doc.statusCode()).isEqualTo(200);
            assertThat(doc.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            assertThat(doc.body()).isEqualTo(new String(ClasspathResources.read("openapi/index-writer.json"), StandardCharsets.UTF_8));

            var registered = OpenApiRoutes.registered(app.http());
            var documented = OpenApiRoutes.documented(doc.body());
            assertThat(registered).contains("PUT /tenants/{tenantId}", "GET /status.json", "GET /openapi.json");
            assertThat(documented).as("documented routes").containsAll(registered);
            assertThat(registered).as("routes the server really has").containsAll(documented);
        }
    }
}
