package io.tenantindex.common.http;

import io.javalin.http.Context;
import io.javalin.http.Header;
import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Who may change the index. Lookups are read-only and open; writes need the {@code writer} token,
 * admin operations (bulk import, rebuild) the {@code admin} token, which may also write. Tokens are
 * kept only as SHA-256 digests and compared in constant time (equal-length digests, so neither
 * content nor length leaks through timing). A service refuses to start without tokens unless
 * {@code auth.disabled=true} says the network is trusted.
 */
public final class BearerAuth {
    public enum Role { WRITER, ADMIN }

    private static final int MIN_TOKEN_LENGTH = 16;
    private static final BearerAuth DISABLED = new BearerAuth(null, null);

    private final byte[] writerDigest;
    private final byte[] adminDigest;

    private BearerAuth(byte[] writerDigest, byte[] adminDigest) {
        this.writerDigest = writerDigest;
        this.adminDigest = adminDigest;
    }

    /** For trusted networks and tests: every request is allowed. */
    public static BearerAuth disabled() {
        return DISABLED;
    }

    public static BearerAuth of(String writerToken, String adminToken) {
        if (writerToken != null && writerToken.equals(adminToken)) {
            // One token for both roles would let every writer rebuild colos and bulk-import.
            throw new ConfigException(ConfigKeys.WRITER_TOKEN + " and " + ConfigKeys.ADMIN_TOKEN + " must differ");
        }
        return new BearerAuth(digest(requireStrong(ConfigKeys.WRITER_TOKEN, writerToken)),
                digest(requireStrong(ConfigKeys.ADMIN_TOKEN, adminToken)));
    }

    /** Reads {@code writer.token} and {@code admin.token}; both are required unless {@code auth.disabled=true}. */
    public static BearerAuth from(Settings s) {
        if (s.bool(ConfigKeys.AUTH_DISABLED, false)) {
            return DISABLED;
        }
        if (!s.has(ConfigKeys.WRITER_TOKEN) || !s.has(ConfigKeys.ADMIN_TOKEN)) {
            throw new ConfigException("writes and admin operations need bearer tokens: set "
                    + Settings.envName(ConfigKeys.WRITER_TOKEN) + " and " + Settings.envName(ConfigKeys.ADMIN_TOKEN)
                    + " (or --" + ConfigKeys.WRITER_TOKEN.replace('.', '-') + " / --" + ConfigKeys.ADMIN_TOKEN.replace('.', '-')
                    + "), or " + Settings.envName(ConfigKeys.AUTH_DISABLED) + "=true on a network you trust");
        }
        return of(s.required(ConfigKeys.WRITER_TOKEN), s.required(ConfigKeys.ADMIN_TOKEN));
    }

    public boolean isDisabled() {
        return writerDigest == null;
    }

    /** 401 without a valid token, 403 with a valid token of too small a role; returns quietly otherwise. */
    public void require(Context ctx, Role role) {
        if (isDisabled()) {
            return;
        }
        String header = ctx.header(Header.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
            ctx.header(Header.WWW_AUTHENTICATE, "Bearer realm=\"tenant-index\"");
            throw new TenantIndexException(ErrorType.UNAUTHORIZED, "this operation needs 'Authorization: Bearer <"
                    + role.name().toLowerCase() + " token>'");
        }
        byte[] presented = digest(header.substring(7).trim());
        boolean admin = MessageDigest.isEqual(presented, adminDigest);
        boolean writer = MessageDigest.isEqual(presented, writerDigest);
        if (!admin && !writer) {
            ctx.header(Header.WWW_AUTHENTICATE, "Bearer realm=\"tenant-index\", error=\"invalid_token\"");
            throw new TenantIndexException(ErrorType.UNAUTHORIZED, "the bearer token is not valid");
        }
        if (role == Role.ADMIN && !admin) {
            throw new TenantIndexException(ErrorType.FORBIDDEN, "this operation needs the admin token");
        }
    }

    private static String requireStrong(String key, String token) {
        if (token == null || token.length() < MIN_TOKEN_LENGTH || token.isBlank()) {
            throw new ConfigException(Settings.envName(key) + " must be at least " + MIN_TOKEN_LENGTH + " characters");
        }
        return token;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return isDisabled() ? "BearerAuth[disabled]" : "BearerAuth[writer, admin tokens set]";
    }
}
