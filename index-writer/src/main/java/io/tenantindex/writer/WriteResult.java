package io.tenantindex.writer;

import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.schemas.TenantRegistration;

/**
 * An acknowledged (committed) write.
 *
 * @param entry   the registration as written; null for a deregistration
 * @param version the version written (for a tombstone: the version it ends)
 * @param created true when the tenant did not exist before
 * @param token   where the write landed (one partition and offset), for read-your-writes in any colo
 */
public record WriteResult(TenantRegistration entry, long version, boolean created, ConsistencyToken token) {
    public int partition() {
        return token.offsets().firstKey();
    }

    public long offset() {
        return token.offsets().firstEntry().getValue();
    }
}
