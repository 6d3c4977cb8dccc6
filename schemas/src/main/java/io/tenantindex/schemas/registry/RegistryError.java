package io.tenantindex.schemas.registry;

/** A Confluent-shaped error answer of the embedded registry: HTTP status, {@code error_code} and message as Confluent words them. */
final class RegistryError extends RuntimeException {
    static final int SUBJECT_SOFT_DELETED = 40404;
    static final int SUBJECT_NOT_SOFT_DELETED = 40405;
    static final int VERSION_SOFT_DELETED = 40406;
    static final int VERSION_NOT_SOFT_DELETED = 40407;
    static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
    static final int SUBJECT_MODE_NOT_CONFIGURED = 40409;
    static final int INVALID_MODE = 42204;
    static final int OPERATION_NOT_PERMITTED = 42205;
    static final int REFERENCE_EXISTS = 42206;
    static final int ID_DOES_NOT_MATCH = 42207;

    final int status;
    final int code;

    RegistryError(int status, int code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    static RegistryError subjectNotFound(String subject) {
        return new RegistryError(404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    static RegistryError versionNotFound(String version) {
        return new RegistryError(404, SchemaRegistryException.VERSION_NOT_FOUND, "Version " + version + " not found.");
    }

    static RegistryError schemaNotFound(String what) {
        return new RegistryError(404, SchemaRegistryException.SCHEMA_NOT_FOUND, what + " not found");
    }

    static RegistryError invalidVersion(String version) {
        return new RegistryError(422, SchemaRegistryException.INVALID_VERSION,
                "The specified version '" + version + "' is not a valid version id. Allowed values are between [1, 2^31-1]"
                        + " and the string \"latest\"");
    }

    static RegistryError invalidSchema(String message) {
        return new RegistryError(422, SchemaRegistryException.INVALID_SCHEMA, message);
    }

    static RegistryError notPermitted(String message) {
        return new RegistryError(422, OPERATION_NOT_PERMITTED, message);
    }

    static RegistryError softDeleted(String subject) {
        return new RegistryError(404, SUBJECT_SOFT_DELETED,
                "Subject '" + subject + "' was soft deleted.Set permanent=true to delete permanently");
    }

    static RegistryError notSoftDeleted(String subject) {
        return new RegistryError(404, SUBJECT_NOT_SOFT_DELETED,
                "Subject '" + subject + "' was not deleted first before being permanently deleted");
    }

    static RegistryError versionSoftDeleted(String subject, int version) {
        return new RegistryError(404, VERSION_SOFT_DELETED,
                "Subject '" + subject + "' Version " + version + " was soft deleted.Set permanent=true to delete permanently");
    }

    static RegistryError versionNotSoftDeleted(String subject, int version) {
        return new RegistryError(404, VERSION_NOT_SOFT_DELETED,
                "Subject '" + subject + "' Version " + version + " was not deleted first before being permanently deleted");
    }
}
