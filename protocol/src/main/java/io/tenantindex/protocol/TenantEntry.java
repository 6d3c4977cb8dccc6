package io.tenantindex.protocol;

import java.util.List;

/**
 * An index entry as the writer and every colo answer it ({@code GET /tenants/{id}}, pages, PUT).
 *
 * @param doId         deterministic from the tenant id, hex
 * @param coloHint     null when the tenant has none
 * @param registeredAt epoch ms
 * @param updatedAt    epoch ms
 */
public record TenantEntry(String tenantId, String doId, String coloHint, long version, Metadata metadata,
                          long registeredAt, long updatedAt) {

    /** @param maxConnections null when unlimited; {@code region} null when unset */
    public record Metadata(String tier, List<String> features, Integer maxConnections, String region) {
        public Metadata {
            features = features == null ? List.of() : List.copyOf(features);
        }
    }
}
