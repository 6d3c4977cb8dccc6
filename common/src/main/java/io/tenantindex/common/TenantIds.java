package io.tenantindex.common;

import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** What a tenant id may look like, and the Durable-Object-style id derived from it. */
public final class TenantIds {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    // A namespace prefix so that doIds do not collide with plain SHA-256 hashes of the id elsewhere.
    private static final byte[] DO_ID_NAMESPACE = "tenant-index/do/v1:".getBytes(StandardCharsets.UTF_8);

    private TenantIds() {
    }

    public static boolean isValid(String tenantId) {
        return tenantId != null && VALID.matcher(tenantId).matches();
    }

    /** Returns the id unchanged, or throws INVALID_TENANT_ID (400). */
    public static String requireValid(String tenantId) {
        if (!isValid(tenantId)) {
            throw new TenantIndexException(ErrorType.INVALID_TENANT_ID,
                    "tenant id must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}");
        }
        return tenantId;
    }

    /** Deterministic 64-hex-character object id: SHA-256 over a namespace and the tenant id. */
    public static String doIdFor(String tenantId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(DO_ID_NAMESPACE);
            return HexFormat.of().formatHex(sha.digest(tenantId.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
