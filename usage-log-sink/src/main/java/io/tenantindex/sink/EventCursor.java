package io.tenantindex.sink;

import io.tenantindex.common.TenantIndexException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where the next page of a tenant's raw events starts: the partition holding the tenant and the
 * offset after the last record the previous page examined. Clients see it as an opaque base64url
 * string; it names the tenant so a cursor cannot be replayed against another tenant's events.
 */
public record EventCursor(String tenantId, int partition, long offset) {
    private static final String VERSION = "v1";

    public String encode() {
        String plain = VERSION + ":" + partition + ":" + offset + ":" + tenantId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a cursor that must belong to {@code tenantId}; anything else is a 400. */
    public static EventCursor decode(String encoded, String tenantId) {
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        String[] parts = plain.split(":", 4);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw invalid();
        }
        int partition;
        long offset;
        try {
            partition = Integer.parseInt(parts[1]);
            offset = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            throw invalid();
        }
        if (partition < 0 || offset < 0) {
            throw invalid();
        }
        if (!parts[3].equals(tenantId)) {
            throw TenantIndexException.badRequest("cursor belongs to another tenant");
        }
        return new EventCursor(tenantId, partition, offset);
    }

    private static TenantIndexException invalid() {
        return TenantIndexException.badRequest("cursor is not one this API returned");
    }
}
