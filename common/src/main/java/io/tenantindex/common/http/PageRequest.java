package io.tenantindex.common.http;

import io.javalin.http.Context;
import io.tenantindex.common.TenantIds;
import io.tenantindex.protocol.TenantIndexException;

/**
 * {@code ?after=<tenant id>&limit=<n>}: one page of tenants in key order, the contract the writer's
 * and every colo's {@code GET /tenants} share so that a replica can be exported or diffed page by page.
 *
 * @param after the last tenant id of the previous page (its {@code nextCursor}), or null for the first page
 */
public record PageRequest(String after, int limit) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public static PageRequest from(Context ctx) {
        String after = ctx.queryParam("after");
        if (after != null && !TenantIds.isValid(after)) {
            throw TenantIndexException.badRequest("after must be a tenant id (the nextCursor of the previous page)");
        }
        String rawLimit = ctx.queryParam("limit");
        if (rawLimit == null) {
            return new PageRequest(after, DEFAULT_LIMIT);
        }
        int limit;
        try {
            limit = Integer.parseInt(rawLimit.trim());
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw TenantIndexException.badRequest("limit must be between 1 and " + MAX_LIMIT + ", got '" + rawLimit + "'");
        }
        return new PageRequest(after, limit);
    }
}
