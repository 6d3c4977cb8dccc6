package io.tenantindex.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares the routes a Javalin server really registered with the operations of an OpenAPI
 * document, both as {@code "GET /tenants/{tenantId}"}, so a test can say "every route is
 * documented, and the document lists no route that does not exist".
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
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(openApiJson);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON document", e);
        }
        if (!root.path("openapi").asText("").startsWith("3.")) {
            throw new IllegalArgumentException("not an OpenAPI 3 document (openapi: " + root.path("openapi") + ")");
        }
        Set<String> out = new TreeSet<>();
        Iterator<String> paths = root.path("paths").fieldNames();
        while (paths.hasNext()) {
            String path = paths.next();
            root.path("paths").path(path).fieldNames().forEachRemaining(op -> {
                if (OPERATIONS.contains(op)) {
                    out.add(op.toUpperCase(Locale.ROOT) + " " + path);
                }
            });
        }
        return out;
    }
}
