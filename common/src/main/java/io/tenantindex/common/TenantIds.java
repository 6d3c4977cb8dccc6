package io.tenantindex.common;

import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What a tenant id may look like, and the Durable-Object-style id derived from it. */
public final class TenantIds {
    private static final int MAX_LENGTH = 128;
    // A namespace prefix so that doIds do not collide with plain SHA-256 hashes of the id elsewhere.
    private static final byte[] DO_ID_NAMESPACE = "tenant-index/do/v1:".getBytes(StandardCharsets.UTF_8);
    // One digest per thread: every write derives a doId, and MessageDigest.getInstance looks up the provider each time.
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(TenantIds::sha256);

    private TenantIds() {
    }

    /** Whether the id matches {@code [A-Za-z0-9][A-Za-z0-9._-]{0,127}}; checked char by char, as every write and lookup asks. */
    public static boolean isValid(String tenantId) {
        if (tenantId == null || tenantId.isEmpty() || tenantId.length() > MAX_LENGTH || !isAlphanumeric(tenantId.charAt(0))) {
            return false;
        }
        for (int i = 1; i < tenantId.length(); i++) {
            char c = tenantId.charAt(i);
            if (!isAlphanumeric(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
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
        MessageDigest sha = SHA_256.get();
        sha.update(DO_ID_NAMESPACE);
        return HexFormat.of().formatHex(sha.digest(tenantId.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
