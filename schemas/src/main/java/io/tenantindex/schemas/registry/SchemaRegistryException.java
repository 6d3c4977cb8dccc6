package io.tenantindex.schemas.registry;

/**
 * A registry answered with an error, in Confluent's terms: the HTTP status and the
 * {@code error_code} (40401 subject not found, 40403 schema not found, 409 incompatible, 42201
 * invalid), or it could not be reached at all ({@link #httpStatus()} 0). {@link #retriable()} tells
 * a transient failure (registry down or overloaded) from a definitive answer, so a consumer can
 * stop and retry instead of dead-lettering a good record.
 */
public class SchemaRegistryException extends RuntimeException {
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(int httpStatus, int errorCode, String message) {
        super(message + " (HTTP " + httpStatus + ", error_code " + errorCode + ")");
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** The registry could not be reached, or its answer could not be used. */
    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = 0;
        this.errorCode = 0;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int errorCode() {
        return errorCode;
    }

    /** No answer, a 5xx, 408 or 429: the same request may succeed later. */
    public boolean retriable() {
        return retriable(httpStatus);
    }

    static boolean retriable(int httpStatus) {
        return httpStatus == 0 || httpStatus >= 500 || httpStatus == 408 || httpStatus == 429;
    }
}
