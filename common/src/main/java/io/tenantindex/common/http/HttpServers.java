package io.tenantindex.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.Header;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.javalin.router.Endpoint;
import io.javalin.router.InternalRouter;
import io.tenantindex.common.Json;
import io.tenantindex.common.api.ErrorBody;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds every tenant-index HTTP server the same way: Jackson from {@link Json}, a request size
 * limit, and one exception mapping that turns any failure into {@link ErrorBody} JSON with the
 * status its {@link ErrorType} knows (plus {@code Retry-After} on 503s). Unknown routes are JSON 404s;
 * a known path with another method is a 405 with {@code Allow} (and {@code OPTIONS} a 204 with it);
 * {@code HEAD} runs the {@code GET} route, so it answers the same status and headers without a body.
 */
public final class HttpServers {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServers.class);
    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.HEAD, HandlerType.POST,
            HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    static final long IDLE_TIMEOUT_MS = 15_000;
    /** Pending connections the kernel keeps for the acceptor (capped by {@code net.core.somaxconn}); nginx keeps 511. */
    static final int ACCEPT_QUEUE_SIZE = 1024;
    /** How much of a body over the limit is read and dropped before the 413, so the client sees it; a larger one is cut off. */
    static final long DRAINED_BEFORE_413_BYTES = 1024 * 1024;
    static final long MIN_REQUEST_BYTES_PER_SECOND = 1024;

    private HttpServers() {
    }

    public static Javalin create(long maxBodyBytes, Consumer<JavalinConfig> routes) {
        // The router exists once the config has run; the 405 handler needs it to say what is allowed.
        AtomicReference<InternalRouter> router = new AtomicReference<>();
        AtomicReference<Javalin> created = new AtomicReference<>();
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.http.maxRequestSize = maxBodyBytes;
            config.http.generateEtags = false;
            config.http.prefer405over404 = true;
            config.jetty.modifyHttpConfiguration(HttpServers::limitRequests);
            // Javalin has added its connector by now and binds it after this event.
            config.events.serverStarting(() -> {
                for (Connector connector : created.get().jettyServer().server().getConnectors()) {
                    if (connector instanceof ServerConnector c) {
                        tuneConnector(c);
                    }
                }
            });
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            // Path parameters are percent-decoded lazily by the route; a malformed escape (say "/usage/;%")
            // that Jetty let through would surface there as an IllegalArgumentException, a 500.
            config.routes.before(ctx -> {
                if (!wellFormedEscapes(ctx.req().getRequestURI())) {
                    throw TenantIndexException.badRequest("malformed percent-encoding in the request path");
                }
            });
            config.routes.exception(TenantIndexException.class, HttpServers::handleTenantIndexException);
            config.routes.exception(HttpResponseException.class, (e, ctx) -> handleJavalinResponse(e, ctx, router.get()));
            // Only reading a request can be the client's fault; failing to write a response is ours (500).
            config.routes.exception(StreamReadException.class, (e, ctx) ->
                    respond(ctx, ErrorType.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage()));
            config.routes.exception(MismatchedInputException.class, (e, ctx) ->
                    respond(ctx, ErrorType.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                HttpException jetty = jettyRejection(e);
                if (jetty != null) {
                    // Jetty refused the request while a route read it (e.g. a body slower than the
                    // minimum data rate is a 408): the client's fault, answered as such.
                    ctx.status(jetty.getCode()).result(JsonErrorHandler.body(jetty.getCode(), jetty.getReason()))
                            .contentType("application/json");
                    return;
                }
                LOG.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
                respond(ctx, ErrorType.INTERNAL, internalError(e));
            });
            routes.accept(config);
        });
        router.set(app.unsafe.internalRouter);
        created.set(app);
        answerHeadLikeGet(router.get());
        return app;
    }

    /**
     * The connector settings of every server (and of the bench's bare Jetty floor). A client that stops
     * talking loses its connection after {@link #IDLE_TIMEOUT_MS}; set on the connector, not per request:
     * an HttpConfiguration idle timeout other than the connector's reschedules the connection's timer
     * twice per request (JFR: a lock every request thread took). The accept queue holds a burst of new
     * connections (a load balancer reconnecting, a client opening its pool): with Jetty's default of 50
     * one burst of 64 connects overflowed it, and Linux drops the SYN it has no room for, so that
     * connect, and the requests queued behind it, wait a full second for the SYN's retransmission.
     */
    public static void tuneConnector(ServerConnector connector) {
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        connector.setAcceptQueueSize(ACCEPT_QUEUE_SIZE);
    }

    /** The request limits of every server (and of the bench's bare Jetty floor, so that it is the same server). */
    public static void limitRequests(HttpConfiguration http) {
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        // A client that trickles a body (slowloris-style) loses its connection instead of holding a server thread.
        http.setMinRequestDataRate(MIN_REQUEST_BYTES_PER_SECOND);
        http.setSendServerVersion(false);
    }

    /**
     * Javalin answers a HEAD on a GET route by itself, but without running it (no ETag, a wrong
     * content type and length); a HEAD route with the GET's handler answers what GET would, and
     * Jetty sends no body for a HEAD.
     */
    private static void answerHeadLikeGet(InternalRouter router) {
        router.allHttpHandlers().stream().map(parsed -> parsed.endpoint)
                .filter(e -> e.method == HandlerType.GET && router.findHttpHandlerEntries(HandlerType.HEAD, e.path).isEmpty())
                .toList()
                .forEach(get -> router.addHttpEndpoint(new Endpoint(HandlerType.HEAD, get.path, get.handler)));
    }

    /** The methods {@code path} has routes for, as an {@code Allow} header lists them. */
    static String allowedMethods(InternalRouter router, String path) {
        return Stream.concat(METHODS.stream().filter(m -> router.hasHttpHandlerEntry(m, path)), Stream.of(HandlerType.OPTIONS))
                .map(HandlerType::name).collect(Collectors.joining(", "));
    }

    /** Whether every '%' in {@code path} starts a two-hex-digit escape (one linear pass, no regex). */
    static boolean wellFormedEscapes(String path) {
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 3)) {
            if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0 || Character.digit(path.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static HttpException jettyRejection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpException h && h.getCode() >= 400 && h.getCode() < 500) {
                return h;
            }
        }
        return null;
    }

    /** Fails with 415 unless the request says its body is JSON. */
    public static void requireJsonBody(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new TenantIndexException(ErrorType.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must be application/json, got " + (type == null ? "none" : "'" + type + "'"));
        }
    }

    /** Fails with 413 when the declared or actual body is over the limit; returns the body. */
    public static byte[] boundedBody(Context ctx, long maxBodyBytes) {
        long declared = ctx.contentLength();
        if (declared > maxBodyBytes) {
            discard(ctx, Math.min(declared, DRAINED_BEFORE_413_BYTES));
            throw tooLarge(maxBodyBytes);
        }
        byte[] body = declared >= 0 ? readDeclared(ctx, (int) declared) : ctx.bodyAsBytes();
        if (body.length > maxBodyBytes) {
            throw tooLarge(maxBodyBytes);
        }
        return body;
    }

    /**
     * Reads exactly the declared length and stops, without the extra read that would find the end of
     * the stream: Jetty checks the minimum data rate on every read since the first byte, so a request
     * thread paused (GC, a busy machine) between its last byte and that extra read turned a small,
     * complete body into a 408.
     */
    private static byte[] readDeclared(Context ctx, int length) {
        try {
            return ctx.req().getInputStream().readNBytes(length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads and drops up to {@code bytes} of a body that will be refused: a server that answers and
     * closes with the body still unread makes the kernel reset the connection, and the client may
     * then lose the 413 (the JDK client saw "header parser received no bytes").
     */
    private static void discard(Context ctx, long bytes) {
        try {
            ctx.req().getInputStream().skipNBytes(bytes);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not drain a refused body", e);
        }
    }

    private static TenantIndexException tooLarge(long maxBodyBytes) {
        return new TenantIndexException(ErrorType.PAYLOAD_TOO_LARGE, "request body is larger than " + maxBodyBytes + " bytes");
    }

    private static void handleTenantIndexException(TenantIndexException e, Context ctx) {
        logServerFault(e, ctx.method().name(), ctx.path());
        retryAfterSeconds(e).ifPresent(s -> ctx.header(Header.RETRY_AFTER, s));
        respond(ctx, e.type(), e.getMessage());
    }

    private static void logServerFault(TenantIndexException e, String method, String path) {
        if (e.status() >= 500) {
            LOG.warn("{} {} -> {} {}", method, path, e.type(), e.getMessage());
        }
    }

    private static Optional<String> retryAfterSeconds(TenantIndexException e) {
        return e.retryAfter().map(d -> Long.toString(Math.max(1, (d.toMillis() + 999) / 1000)));
    }

    /**
     * Answers {@code failure} on a Jetty core exchange (a handler in front of Javalin's) as a route's
     * exception is answered: a {@link TenantIndexException} by its type (with {@code Retry-After}),
     * anything else as a logged 500.
     */
    public static void fail(Request request, Response response, Callback callback, Throwable failure) {
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        ErrorType type = ErrorType.INTERNAL;
        String message;
        if (failure instanceof TenantIndexException e) {
            logServerFault(e, method, path);
            retryAfterSeconds(e).ifPresent(s -> response.getHeaders().put(HttpHeader.RETRY_AFTER, s));
            type = e.type();
            message = e.getMessage();
        } else {
            LOG.error("unhandled error on {} {}", method, path, failure);
            message = internalError(failure);
        }
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(new ErrorBody(type.name(), message));
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        response.setStatus(type.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ContentType.JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static String internalError(Throwable e) {
        return "internal error: " + e.getClass().getSimpleName();
    }

    private static void handleJavalinResponse(HttpResponseException e, Context ctx, InternalRouter router) {
        if (e.getStatus() == HttpStatus.METHOD_NOT_ALLOWED.getCode()) {
            ctx.header(Header.ALLOW, allowedMethods(router, ctx.path()));
            if (ctx.method() == HandlerType.OPTIONS) {
                ctx.status(HttpStatus.NO_CONTENT);
                return;
            }
        }
        ErrorType type = switch (e.getStatus()) {
            case 404 -> ErrorType.NOT_FOUND;
            case 405 -> ErrorType.METHOD_NOT_ALLOWED;
            case 413 -> ErrorType.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorType.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> ErrorType.UNAVAILABLE;
            default -> e.getStatus() >= 500 ? ErrorType.INTERNAL : ErrorType.BAD_REQUEST;
        };
        ctx.status(e.getStatus()).json(new ErrorBody(type.name(), e.getMessage()));
    }

    private static void respond(Context ctx, ErrorType type, String message) {
        ctx.status(type.status()).json(new ErrorBody(type.name(), message));
    }
}
