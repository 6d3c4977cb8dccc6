package io.tenantindex.common.http;

import io.tenantindex.common.Json;
import io.tenantindex.common.api.ErrorBody;
import io.tenantindex.protocol.ErrorType;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Requests Jetty rejects before they reach a route (oversize headers, malformed URIs, bad HTTP)
 * get the same JSON error shape as everything else, never an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {

    static byte[] body(int status, String message) {
        String code = switch (status) {
            case 400 -> ErrorType.BAD_REQUEST.name();
            case 404 -> ErrorType.NOT_FOUND.name();
            case 405 -> ErrorType.METHOD_NOT_ALLOWED.name();
            case 413 -> ErrorType.PAYLOAD_TOO_LARGE.name();
            case 415 -> ErrorType.UNSUPPORTED_MEDIA_TYPE.name();
            default -> "HTTP_" + status;
        };
        String text = message == null || message.isBlank() ? HttpStatus.getMessage(status) : message;
        try {
            return Json.MAPPER.writeValueAsBytes(new ErrorBody(code, text));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("an ErrorBody always serialises", e);
        }
    }

    /** Jetty writes error bodies only for GET/POST/HEAD by default; a rejected PUT deserves one too. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }
}
