package io.tenantindex.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tenantindex.common.http.HttpServers;
import io.tenantindex.common.metrics.ServiceMetrics;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.OpenApiRoutes;
import java.net.http.HttpResponse;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every route of the sink's API is in its OpenAPI document, and the document invents none. */
class UsageOpenApiTest {
    @Test
    void shouldDocumentEveryRegisteredRouteInOpenApiJson() {
        UsageRoutes routes = new UsageRoutes(null, null, null, null);
        // As UsageSink serves them: the usage routes plus /metrics.
        Javalin app = HttpServers.create(HttpServers.DEFAULT_MAX_BODY_BYTES, c -> {
            routes.register(c);
            ServiceMetrics.route(c, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        }).start("127.0.0.1", 0);
        try {
            HttpResponse<String> doc = Http.get("http://127.0.0.1:" + app.port() + "/openapi.json");
            assertThat(doc.statusCode()).isEqualTo(200);
            assertThat(doc.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));

            Set<String> registered = OpenApiRoutes.registered(app);
            Set<String> documented = OpenApiRoutes.documented(doc.body());
            assertThat(registered).contains("GET /usage/{tenantId}/events", "GET /openapi.json");
            assertThat(documented).as("documented routes").containsAll(registered);
            assertThat(registered).as("routes the server really has").containsAll(documented);
        } finally {
            app.stop();
        }
    }
}
