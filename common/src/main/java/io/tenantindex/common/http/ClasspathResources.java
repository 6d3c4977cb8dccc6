package io.tenantindex.common.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Header;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves files that ship inside a service's jar (the OpenAPI documents, the writer's status page)
 * without Javalin's static-file machinery: each file is one explicit route, read once when the
 * route is registered, so a missing resource fails the service at start instead of a request later.
 */
public final class ClasspathResources {
    /** Where every service documents its HTTP API. */
    public static final String OPENAPI_PATH = "/openapi.json";

    private ClasspathResources() {
    }

    /** Registers {@code GET /openapi.json} answering with the OpenAPI document at {@code resource}. */
    public static void openApi(JavalinConfig config, String resource) {
        serve(config, OPENAPI_PATH, resource, "application/json");
    }

    /** Registers {@code GET path} answering with the bytes of {@code resource} as {@code contentType}. */
    public static void serve(JavalinConfig config, String path, String resource, String contentType) {
        byte[] body = read(resource);
        config.routes.get(path, ctx -> ctx.contentType(contentType).header(Header.CACHE_CONTROL, "no-cache").result(body));
    }

    /** The bytes of a classpath resource (no leading slash: {@code openapi/index-writer.json}). */
    public static byte[] read(String resource) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : ClasspathResources.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource '" + resource + "' is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource '" + resource + "'", e);
        }
    }
}
