package io.tenantindex.schemas;

import java.util.List;

/**
 * The JSON shape of an index entry, the same at the writer and in every colo (the Avro class itself
 * is not a JSON bean).
 */
public record TenantJson(String tenantId, String doId, String coloHint, long version, Metadata metadata,
                         long registeredAt, long updatedAt) {

    public record Metadata(String tier, List<String> features, Integer maxConnections, String region) {
    }

    public static TenantJson of(TenantRegistration r) {
        var m = r.getMetadata();
        return new TenantJson(r.getTenantId(), r.getDoId(), r.getColoHint(), r.getVersion(),
                new Metadata(m.getTier().name(), List.copyOf(m.getFeatures()), m.getMaxConnections(), m.getRegion()),
                r.getRegisteredAt(), r.getUpdatedAt());
    }
}
