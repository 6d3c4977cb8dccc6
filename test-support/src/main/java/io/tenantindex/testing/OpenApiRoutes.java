package io.tenantindex.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares the routes a Javalin server really registered with the operations of an OpenAPI
 * document, both as {@code "GET /tenants/{tenantId}"}, so a test can say "every route is
 * documented, and the document lists no route that does not exist"; and which operations the
 * document says need a bearer token, against what the server answers without one.
 */
public final class OpenApiRoutes {
    private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    private static final Set<HandlerType> METHODS = Set.of(HandlerType.GET, HandlerType.PUT, HandlerType.POST,
            HandlerType.DELETE, HandlerType.PATCH);

    private OpenApiRoutes() {
    }

    /** Every HTTP route of {@code app} (filters and Javalin's implicit HEAD/OPTIONS excluded). */
    public static Set<String> registered(Javalin app) {
        Set<String> out = new TreeSet<>();
        app.unsafe.internalRouter.allHttpHandlers().forEach(parsed -> {
            if (METHODS.contains(parsed.endpoint.method)) {
                out.add(parsed.endpoint.method.name().toUpperCase(Locale.ROOT) + " " + parsed.endpoint.path);
            }
        });
        return out;
    }

    /** Every operation of an OpenAPI 3 document. */
    public static Set<String> documented(String openApiJson) {
        return operations(openApiJson).keySet();
    }

    /** The operations whose {@code security} requires the document's bearer scheme. */
    public static Set<String> secured(String openApiJson) {
        Set<String> out = new TreeSet<>();
        operations(openApiJson).forEach((name, op) -> {
            if (op.path("security").toString().contains("bearerAuth")) {
                out.add(name);
            }
        });
        return out;
    }

    /**
     * Whether each of {@code operations} answers 401 when called on {@code baseUrl} without a token
     * (path parameters filled in, a JSON body of {@code {}}).
     */
    public static Map<String, Boolean> refusedWithoutToken(String baseUrl, Set<String> operations) {
        Map<String, Boolean> out = new TreeMap<>();
        for (String operation : operations) {
            String[] methodAndPath = operation.split(" ", 2);
            String path = methodAndPath[1].replaceAll("\\{[^}]+}", "openapi-probe");
            HttpRequest request = Http.builder(baseUrl + path, "Content-Type", "application/json")
                    .method(methodAndPath[0], HttpRequest.BodyPublishers.ofString("{}")).build();
            out.put(operation, Http.send(request).statusCode() == 401);
        }
        return out;
    }

    private static Map<String, JsonNode> operations(String openApiJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(openApiJson);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON document", e);
        }
        if (!root.path("openapi").asText("").startsWith("3.")) {
            throw new IllegalArgumentException("not an OpenAPI 3 document (openapi: " + root.path("openapi") + ")");
        }
        Map<String, JsonNode> out = new TreeMap<>();
        Iterator<String> paths = root.path("paths").fieldNames();
        while (paths.hasNext()) {
            String path = paths.next();
            JsonNode item = root.path("paths").path(path);
            item.fieldNames().forEachRemaining(op -> {
                if (OPERATIONS.contains(op)) {
                    out.put(op.toUpperCase(Locale.ROOT) + " " + path, item.path(op));
                }
            });
        }
        return out;
    }
}
