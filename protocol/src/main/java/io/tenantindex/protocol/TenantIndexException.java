package io.tenantindex.protocol;

import java.time.Duration;
import java.util.Optional;

/**
 * The one exception type of tenant-index: it carries the {@link ErrorType} (and so the HTTP status)
 * and, for 503s, how long a client should wait before retrying.
 */
public class TenantIndexException extends RuntimeException {
    private final ErrorType type;
    private final Duration retryAfter;

    public TenantIndexException(ErrorType type, String message) {
        this(type, message, null, null);
    }

    public TenantIndexException(ErrorType type, String message, Throwable cause) {
        this(type, message, null, cause);
    }

    public TenantIndexException(ErrorType type, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.type = type;
        this.retryAfter = retryAfter;
    }

    public static TenantIndexException badRequest(String message) {
        return new TenantIndexException(ErrorType.BAD_REQUEST, message);
    }

    public static TenantIndexException notReady(String message, Duration retryAfter) {
        return new TenantIndexException(ErrorType.NOT_READY, message, retryAfter, null);
    }

    public ErrorType type() {
        return type;
    }

    public int status() {
        return type.status();
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
