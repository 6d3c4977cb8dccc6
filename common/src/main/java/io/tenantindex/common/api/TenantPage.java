package io.tenantindex.common.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tenantindex.protocol.TenantEntry;
import java.util.List;

/**
 * One page of {@code GET /tenants}, in tenant-id order, from the writer ({@code source: "writer"})
 * or a colo ({@code colo: "ORD"}); the other of the two fields is left out.
 *
 * @param nextCursor the {@code after} of the next page; null on the last page
 */
public record TenantPage(@JsonInclude(JsonInclude.Include.NON_NULL) String source,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String colo,
                         List<TenantEntry> items, String nextCursor) {
    public TenantPage {
        items = items == null ? List.of() : List.copyOf(items);
    }

    public static TenantPage ofWriter(List<TenantEntry> items, String nextCursor) {
        return new TenantPage("writer", null, items, nextCursor);
    }

    public static TenantPage ofColo(String colo, List<TenantEntry> items, String nextCursor) {
        return new TenantPage(null, colo, items, nextCursor);
    }
}
