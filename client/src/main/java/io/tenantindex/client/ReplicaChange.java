package io.tenantindex.client;

import io.tenantindex.protocol.TenantEntry;

/**
 * One change to what an {@link EmbeddedReplica} answers, as its listeners are told.
 *
 * @param version the entry's version; for a delete, the version of the tombstone
 * @param entry   the new entry; null for a delete
 * @param token   the feed position after this change (resume with it)
 */
public record ReplicaChange(Kind kind, String tenantId, long version, TenantEntry entry, String token) {
    public enum Kind { UPSERT, DELETE }

    static ReplicaChange upsert(TenantEntry entry, String token) {
        return new ReplicaChange(Kind.UPSERT, entry.tenantId(), entry.version(), entry, token);
    }

    static ReplicaChange delete(String tenantId, long version, String token) {
        return new ReplicaChange(Kind.DELETE, tenantId, version, null, token);
    }
}
