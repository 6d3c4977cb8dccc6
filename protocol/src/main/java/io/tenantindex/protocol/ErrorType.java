package io.tenantindex.protocol;

/**
 * Every error a tenant-index HTTP API can answer with, and the status it maps to. The name is the
 * stable {@code "error"} code clients switch on; the message says what was wrong.
 */
public enum ErrorType {
    BAD_REQUEST(400),
    INVALID_TENANT_ID(400),
    INVALID_TOKEN(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    TENANT_NOT_FOUND(404),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    VERSION_CONFLICT(409),
    /** A change feed's {@code since} is older than the history the server can replay without missing a delete. */
    CHANGES_GONE(410),
    PRECONDITION_FAILED(412),
    PAYLOAD_TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    INTERNAL(500),
    NOT_READY(503),
    NOT_UP_TO_BOUND(503),
    WRITER_FENCED(503),
    UNAVAILABLE(503);

    private final int status;

    ErrorType(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
