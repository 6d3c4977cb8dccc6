package io.tenantindex.writer;

import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;

/**
 * Optimistic-concurrency conditions on a write: HTTP {@code If-Match} / {@code If-None-Match: *}
 * (a failure is 412) and the body's {@code expectedVersion} (a failure is 409). Checked by the
 * single writer thread against the authoritative view, so concurrent conditional writes to one
 * tenant are serialised and exactly one can win.
 *
 * @param ifMatch         required current version; {@link #ANY} = must exist; 0 = no condition
 * @param ifNoneMatchAny  {@code If-None-Match: *}: must not exist (create-only)
 * @param expectedVersion body field; 0 = no condition
 */
public record Precondition(long ifMatch, boolean ifNoneMatchAny, long expectedVersion) {
    public static final long ANY = -1;
    public static final Precondition NONE = new Precondition(0, false, 0);

    public static Precondition fromHeaders(String ifMatch, String ifNoneMatch, long expectedVersion) {
        long match = 0;
        if (ifMatch != null) {
            match = "*".equals(ifMatch.trim()) ? ANY : parseEtag(ifMatch);
        }
        boolean noneMatch = false;
        if (ifNoneMatch != null) {
            if (!"*".equals(ifNoneMatch.trim())) {
                throw TenantIndexException.badRequest("only 'If-None-Match: *' (create-only) is supported");
            }
            noneMatch = true;
        }
        return new Precondition(match, noneMatch, expectedVersion);
    }

    private static long parseEtag(String etag) {
        String v = etag.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        try {
            long version = Long.parseLong(v);
            if (version < 1) {
                throw new NumberFormatException();
            }
            return version;
        } catch (NumberFormatException e) {
            throw TenantIndexException.badRequest("If-Match must be \"<version>\" or *");
        }
    }

    /** Throws 412/409 unless a tenant whose current version is {@code current} (0 = absent) may be written. */
    public void check(String tenantId, long current) {
        if (ifNoneMatchAny && current > 0) {
            throw new TenantIndexException(ErrorType.PRECONDITION_FAILED,
                    "tenant " + tenantId + " already exists at version " + current + " (If-None-Match: *)");
        }
        if (ifMatch == ANY && current == 0) {
            throw new TenantIndexException(ErrorType.PRECONDITION_FAILED, "tenant " + tenantId + " does not exist (If-Match: *)");
        }
        if (ifMatch > 0 && ifMatch != current) {
            throw new TenantIndexException(ErrorType.PRECONDITION_FAILED,
                    "tenant " + tenantId + " is at version " + current + ", If-Match asked for " + ifMatch);
        }
        if (expectedVersion > 0 && expectedVersion != current) {
            throw new TenantIndexException(ErrorType.VERSION_CONFLICT,
                    "tenant " + tenantId + " is at version " + current + ", expectedVersion was " + expectedVersion);
        }
    }
}
