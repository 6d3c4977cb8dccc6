package io.tenantindex.colo;

import io.tenantindex.schemas.TenantRegistration;
import java.util.Objects;

/**
 * A value of the colo's store: the record's bytes exactly as they are on the topic, plus either the
 * decoded registration or why it could not be decoded (a poison record).
 *
 * <p>Why keep the raw bytes: with source-topic reuse a restore copies topic bytes into RocksDB
 * without deserializing them, so the store must hold topic bytes whether a record was processed or
 * restored. Serializing this value returns {@link #raw()} unchanged, which makes both paths store the
 * same thing, and makes poison handling identical on both (the store says "undecodable" for that
 * tenant, which is also what a full replay of a compacted topic would say).
 */
public record IndexRecord(byte[] raw, TenantRegistration registration, String error) {
    public IndexRecord {
        Objects.requireNonNull(raw, "raw");
        if ((registration == null) == (error == null)) {
            throw new IllegalArgumentException("exactly one of registration and error must be set");
        }
    }

    public static IndexRecord decoded(byte[] raw, TenantRegistration registration) {
        return new IndexRecord(raw, registration, null);
    }

    public static IndexRecord poison(byte[] raw, String error) {
        return new IndexRecord(raw, null, error);
    }

    public boolean isPoison() {
        return registration == null;
    }
}
