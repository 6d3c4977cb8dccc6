package io.tenantindex.lookup;

import io.tenantindex.common.TenantIds;
import io.tenantindex.common.http.ConditionalGet;
import io.tenantindex.common.http.HttpServers;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The colo's hot path, a plain GET or HEAD of {@code /tenants/{id}}, answered by a Jetty core handler
 * in front of Javalin's servlet: the servlet request, Javalin's context and its dispatch took about a
 * quarter of a lookup request's CPU on the request threads (JFR). Plain means a valid tenant id, no query string and no
 * body; any other request falls through to Javalin, whose route for the path runs the same
 * {@link LookupRoutes} logic, so parameters, escapes, bodies and 405s stay Javalin's.
 */
final class LookupHandler extends Handler.Wrapper {
    private static final String PREFIX = "/tenants/";

    private final LookupRoutes routes;

    LookupHandler(LookupRoutes routes) {
        this.routes = routes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String tenantId = plainLookup(request);
        if (tenantId == null) {
            return super.handle(request, response, callback);
        }
        try {
            routes.lookup(new Exchange(request, response, callback), tenantId);
        } catch (RuntimeException e) {
            HttpServers.fail(request, response, callback, e);
        }
        return true;
    }

    /** The tenant id of a plain lookup, else null. */
    static String plainLookup(Request request) {
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            return null;
        }
        HttpURI uri = request.getHttpURI();
        String path = uri.getPath();
        if (uri.getQuery() != null || path == null || !path.startsWith(PREFIX)) {
            return null;
        }
        HttpFields headers = request.getHeaders();
        if (headers.contains(HttpHeader.CONTENT_LENGTH) || headers.contains(HttpHeader.TRANSFER_ENCODING)) {
            return null;
        }
        String tenantId = path.substring(PREFIX.length());
        return TenantIds.isValid(tenantId) ? tenantId : null;
    }

    /** A plain lookup has no query string, so no parameter. */
    private record Exchange(Request request, Response response, Callback callback) implements LookupExchange {
        @Override
        public String header(String name) {
            return request.getHeaders().get(name);
        }

        @Override
        public String queryParam(String name) {
            return null;
        }

        /** Added, not put: a plain lookup sets each of its headers once, and a put first searches for the name. */
        @Override
        public void header(String name, String value) {
            response.getHeaders().add(name, value);
        }

        @Override
        public void json(String etag, byte[] json) {
            ConditionalGet.jsonBytes(request, response, callback, etag, json);
        }

        @Override
        public void later(CompletableFuture<?> answered) {
            answered.whenComplete((done, error) -> {
                if (error != null) {
                    HttpServers.fail(request, response, callback, LookupRoutes.unwrap(error));
                }
            });
        }
    }
}
