package io.tenantindex.colo;

import io.tenantindex.common.TenantIds;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.Tier;
import java.util.List;

/** Test registrations as the writer would produce them. */
final class Registrations {
    private Registrations() {
    }

    static TenantRegistration of(String tenantId, long version) {
        return TenantRegistration.newBuilder()
                .setTenantId(tenantId)
                .setDoId(TenantIds.doIdFor(tenantId))
                .setColoHint("SJC")
                .setVersion(version)
                .setRegisteredAt(1_700_000_000_000L)
                .setUpdatedAt(1_700_000_000_000L + version)
                .setMetadata(TenantMetadata.newBuilder()
                        .setTier(Tier.pro)
                        .setFeatures(List.of("ws"))
                        .setMaxConnections(100)
                        .setRegion("us")
                        .build())
                .build();
    }
}
