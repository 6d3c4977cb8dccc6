package io.tenantindex.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.testing.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;

/** Requests to an embedded registry in Confluent's content type, and checks of its answers' shapes. */
final class RegistryHttp {
    static final String CT = HttpSchemaRegistryClient.CONTENT_TYPE;

    private RegistryHttp() {
    }

    static String body(Schema schema) {
        return Json.MAPPER.createObjectNode().put("schema", schema.toString()).toString();
    }

    static HttpResponse<String> get(EmbeddedSchemaRegistry target, String path) {
        return Http.get(target.url() + path, "Accept", CT);
    }

    static HttpResponse<String> post(EmbeddedSchemaRegistry target, String path, String body) {
        return Http.send(Http.builder(target.url() + path, "Content-Type", CT, "Accept", CT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static HttpResponse<String> put(EmbeddedSchemaRegistry target, String path, String body) {
        return Http.put(target.url() + path, body, "Content-Type", CT);
    }

    static HttpResponse<String> delete(EmbeddedSchemaRegistry target, String path) {
        return Http.delete(target.url() + path, "Accept", CT);
    }

    static JsonNode json(HttpResponse<String> response) {
        assertThat(response.statusCode()).as("status of %s: %s", response.uri(), response.body()).isEqualTo(200);
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertError(HttpResponse<String> response, int status, int errorCode) {
        assertThat(response.statusCode()).as("status of %s: %s", response.uri(), response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith(CT));
        try {
            JsonNode body = Json.MAPPER.readTree(response.body());
            assertThat(body.path("error_code").asInt()).as("error_code of %s", response.body()).isEqualTo(errorCode);
            assertThat(body.path("message").asText()).isNotBlank();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
