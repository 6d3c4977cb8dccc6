package io.tenantindex.writer;

import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shape of an entry, identical to what every colo's lookup-api answers. */
final class TenantEntryJson {
    private TenantEntryJson() {
    }

    static Map<String, Object> of(TenantRegistration r) {
        TenantMetadata m = r.getMetadata();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("tier", m.getTier().name());
        metadata.put("features", m.getFeatures());
        metadata.put("maxConnections", m.getMaxConnections());
        metadata.put("region", m.getRegion());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tenantId", r.getTenantId());
        out.put("doId", r.getDoId());
        out.put("coloHint", r.getColoHint());
        out.put("version", r.getVersion());
        out.put("metadata", metadata);
        out.put("registeredAt", r.getRegisteredAt());
        out.put("updatedAt", r.getUpdatedAt());
        return out;
    }
}
