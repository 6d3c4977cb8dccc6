package io.tenantindex.lookup;

import io.javalin.http.Context;
import io.tenantindex.common.http.ConditionalGet;
import java.util.concurrent.CompletableFuture;

/**
 * One lookup's HTTP exchange as {@link LookupRoutes} reads and answers it, so that one logic answers
 * both the colo's {@link LookupHandler} (a plain GET or HEAD of a tenant) and the Javalin route of the
 * same path (every other request to it). A failure before the answer is thrown to the caller, which
 * answers it by the service's one error mapping.
 */
interface LookupExchange {
    /** A request header, or null. */
    String header(String name);

    /** A query parameter, or null. */
    String queryParam(String name);

    /** Sets a response header. */
    void header(String name, String value);

    /** Answers the tenant's encoded JSON with its entity tag, or a 304 when the request already holds that tag. */
    void json(String etag, byte[] json);

    /** Answers once {@code answered} completes: by then it answered, or it failed with what to answer. */
    void later(CompletableFuture<?> answered);

    /** A lookup on Javalin's route. */
    static LookupExchange of(Context ctx) {
        return new LookupExchange() {
            @Override
            public String header(String name) {
                return ctx.header(name);
            }

            @Override
            public String queryParam(String name) {
                return ctx.queryParam(name);
            }

            @Override
            public void header(String name, String value) {
                ctx.header(name, value);
            }

            @Override
            public void json(String etag, byte[] json) {
                ConditionalGet.jsonBytes(ctx, etag, json);
            }

            @Override
            public void later(CompletableFuture<?> answered) {
                ctx.future(() -> answered);
            }
        };
    }
}
