package io.tenantindex.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantindex.common.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A Confluent Schema Registry REST client (works against Confluent, Apicurio's ccompat API,
 * Karapace and our embedded registry). Both directions are cached, so serializing or
 * deserializing a known schema never makes a request.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final String baseUrl;
    private final HttpClient http;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();

    public HttpSchemaRegistryClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public int register(String subject, Schema schema) {
        return idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(schema, sc -> {
                    JsonNode reply = post("/subjects/" + encode(subject) + "/versions", schemaBody(sc));
                    int id = reply.path("id").asInt();
                    schemasById.putIfAbsent(id, sc);
                    return id;
                });
    }

    @Override
    public int lookupId(String subject, Schema schema) {
        return idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(schema, sc -> {
                    JsonNode reply = post("/subjects/" + encode(subject), schemaBody(sc));
                    int id = reply.path("id").asInt();
                    schemasById.putIfAbsent(id, sc);
                    return id;
                });
    }

    @Override
    public Schema getById(int id) {
        return schemasById.computeIfAbsent(id, i -> {
            JsonNode reply = get("/schemas/ids/" + i);
            return new Schema.Parser().parse(reply.path("schema").asText());
        });
    }

    private static ObjectNode schemaBody(Schema schema) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("schema", schema.toString());
        return body;
    }

    private JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
    }

    private JsonNode post(String path, JsonNode body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpRequest req = request.header("Accept", CONTENT_TYPE).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response;
        try {
            response = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryException("schema registry at " + baseUrl + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted calling schema registry", e);
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException(response.statusCode(), 0,
                    "schema registry answered " + req.method() + " " + req.uri().getPath() + " with a non-JSON body");
        }
        if (response.statusCode() / 100 != 2) {
            throw new SchemaRegistryException(response.statusCode(), json.path("error_code").asInt(response.statusCode()),
                    "schema registry: " + json.path("message").asText("error"));
        }
        return json;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
