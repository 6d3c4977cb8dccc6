package io.tenantindex.common.http;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * A GET answer with an entity tag, honouring {@code If-None-Match} (RFC 9110 §13.1.2): when one of
 * the listed tags (weak comparison) or {@code *} matches, a 304 with the tag and no body, so a
 * client that polls a tenant re-reads it only when it changed.
 */
public final class ConditionalGet {
    private static final HttpField JSON_CONTENT_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, ContentType.JSON);

    private ConditionalGet() {
    }

    /** Answers {@code body} as JSON with {@code etag}, or 304 if the request already holds it. */
    public static void json(Context ctx, String etag, Object body) {
        if (!notModified(ctx, etag)) {
            ctx.json(body);
        }
    }

    /**
     * Like {@link #json(Context, String, Object)} with the body already encoded as JSON, written
     * straight to the response: Javalin's result path copies it through a stream and a compression
     * check first, which took a tenth of a small lookup's CPU (JFR). A HEAD gets the same length, no body.
     */
    public static void jsonBytes(Context ctx, String etag, byte[] json) {
        if (notModified(ctx, etag)) {
            return;
        }
        ctx.contentType(ContentType.APPLICATION_JSON);
        ctx.res().setContentLength(json.length);
        try {
            ctx.res().getOutputStream().write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * As {@link #jsonBytes(Context, String, byte[])} on a Jetty core exchange (a handler in front of
     * Javalin's) whose response has none of these headers yet: they are added, not put, as a put
     * first searches the headers for its name (an iterator per header: JFR under wrk).
     */
    public static void jsonBytes(Request request, Response response, Callback callback, String etag, byte[] json) {
        response.getHeaders().add(HttpHeader.ETAG, etag);
        if (noneMatchFails(request.getHeaders().get(HttpHeader.IF_NONE_MATCH), etag)) {
            response.setStatus(HttpStatus.NOT_MODIFIED.getCode());
            response.write(true, BufferUtil.EMPTY_BUFFER, callback);
            return;
        }
        response.getHeaders().add(JSON_CONTENT_TYPE);
        response.getHeaders().add(HttpHeader.CONTENT_LENGTH, json.length);
        response.write(true, ByteBuffer.wrap(json), callback);
    }

    /** Sets the ETag; a 304 when the request already holds it. */
    private static boolean notModified(Context ctx, String etag) {
        ctx.header(Header.ETAG, etag);
        if (noneMatchFails(ctx.header(Header.IF_NONE_MATCH), etag)) {
            ctx.status(HttpStatus.NOT_MODIFIED);
            return true;
        }
        return false;
    }

    /** Whether {@code If-None-Match: ifNoneMatch} names {@code etag} (or is {@code *}): the condition is false. */
    static boolean noneMatchFails(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        String opaque = opaque(etag);
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || opaque(tag).equals(opaque)) {
                return true;
            }
        }
        return false;
    }

    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }
}
