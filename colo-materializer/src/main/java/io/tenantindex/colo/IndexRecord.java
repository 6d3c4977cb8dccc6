package io.tenantindex.colo;

import io.tenantindex.schemas.TenantRegistration;
import java.util.Objects;
import java.util.function.Function;

/**
 * A value of the colo's store: the record's bytes exactly as they are on the topic, plus either the
 * decoded registration or why it could not be decoded (a poison record).
 *
 * <p>Why keep the raw bytes: with source-topic reuse a restore copies topic bytes into RocksDB
 * without deserializing them, so the store must hold topic bytes whether a record was processed or
 * restored. Serializing this value returns {@link #raw()} unchanged, which makes both paths store the
 * same thing, and makes poison handling identical on both (the store says "undecodable" for that
 * tenant, which is also what a full replay of a compacted topic would say).
 *
 * <p>A value read back from the store is decoded only when its registration is first asked for
 * ({@link #lazy}): the table's source reads the entry a record replaces and never looks inside it.
 * Such a value belongs to the thread that read it.
 */
public final class IndexRecord {
    private final byte[] raw;
    private TenantRegistration registration;
    private String error;
    /** Decodes {@link #raw} on first use; null once decoded (or when built decoded). */
    private Function<byte[], IndexRecord> decode;

    private IndexRecord(byte[] raw, TenantRegistration registration, String error, Function<byte[], IndexRecord> decode) {
        this.raw = Objects.requireNonNull(raw, "raw");
        this.registration = registration;
        this.error = error;
        this.decode = decode;
    }

    public static IndexRecord decoded(byte[] raw, TenantRegistration registration) {
        return new IndexRecord(raw, Objects.requireNonNull(registration, "registration"), null, null);
    }

    public static IndexRecord poison(byte[] raw, String error) {
        return new IndexRecord(raw, null, Objects.requireNonNull(error, "error"), null);
    }

    /** {@code raw}, decoded by {@code decode} (into a decoded or a poison value) when first asked. */
    static IndexRecord lazy(byte[] raw, Function<byte[], IndexRecord> decode) {
        return new IndexRecord(raw, null, null, Objects.requireNonNull(decode, "decode"));
    }

    public byte[] raw() {
        return raw;
    }

    /** The decoded registration; null for a poison record. */
    public TenantRegistration registration() {
        decode();
        return registration;
    }

    /** Why the record could not be decoded; null unless poison. */
    public String error() {
        decode();
        return error;
    }

    public boolean isPoison() {
        return registration() == null;
    }

    private void decode() {
        if (decode != null) {
            IndexRecord d = decode.apply(raw);
            registration = d.registration;
            error = d.error;
            decode = null;
        }
    }
}
