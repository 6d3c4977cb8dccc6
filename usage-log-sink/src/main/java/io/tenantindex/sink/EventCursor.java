package io.tenantindex.sink;

import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.protocol.VersionedCodec;

/**
 * Where the next page of a tenant's raw events starts: the partition holding the tenant and the
 * offset after the last record the previous page examined. Clients see it as an opaque base64url
 * string; it names the tenant so a cursor cannot be replayed against another tenant's events.
 */
public record EventCursor(String tenantId, int partition, long offset) {
    // Tenant ids cannot contain ':' (TenantIds), so the id is a plain last field.
    private static final VersionedCodec V1 = new VersionedCodec("v1", 3);

    public String encode() {
        return V1.encode(partition, offset, tenantId);
    }

    /** Parses a cursor that must belong to {@code tenantId}; anything else is a 400. */
    public static EventCursor decode(String encoded, String tenantId) {
        String[] parts = V1.decode(encoded, reason -> invalid());
        int partition;
        long offset;
        try {
            partition = Integer.parseInt(parts[0]);
            offset = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            throw invalid();
        }
        if (partition < 0 || offset < 0) {
            throw invalid();
        }
        if (!parts[2].equals(tenantId)) {
            throw TenantIndexException.badRequest("cursor belongs to another tenant");
        }
        return new EventCursor(tenantId, partition, offset);
    }

    private static TenantIndexException invalid() {
        return TenantIndexException.badRequest("cursor is not one this API returned");
    }
}
