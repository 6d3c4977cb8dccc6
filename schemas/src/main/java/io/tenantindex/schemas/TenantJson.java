package io.tenantindex.schemas;

import io.tenantindex.protocol.TenantEntry;
import java.util.List;

/** An Avro registration as the contract's {@link TenantEntry} (the Avro class itself is not a JSON bean). */
public final class TenantJson {
    private TenantJson() {
    }

    public static TenantEntry of(TenantRegistration r) {
        var m = r.getMetadata();
        return new TenantEntry(r.getTenantId(), r.getDoId(), r.getColoHint(), r.getVersion(),
                new TenantEntry.Metadata(m.getTier().name(), List.copyOf(m.getFeatures()), m.getMaxConnections(), m.getRegion()),
                r.getRegisteredAt(), r.getUpdatedAt());
    }
}
