package io.tenantindex.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * One event of the change feed ({@code GET /changes}): an NDJSON line, or the {@code data:} of a
 * Server-Sent Event whose {@code event:} is the type. A snapshot lists the index in key order and
 * ends with {@code snapshot-end}; changes follow, each with the token after it, so a client resumes
 * with {@code since=<token>}. A client applies an upsert or delete only if its version is at least
 * the one it holds: a snapshot read while the colo applies may already contain a later change.
 *
 * @param tenantId null for snapshot-end, heartbeat and cutoff
 * @param version  the entry's version, or the deleted entry's last version; null where tenantId is
 * @param entry    the entry as {@code GET /tenants/{id}} answers it; only for snapshot and upsert
 * @param token    the position after this event (every partition of the topic); null for snapshot entries
 * @param reason   why the server ended the stream; only for cutoff
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChangeEvent(Type type, String tenantId, Long version, TenantEntry entry, String token, String reason) {

    public enum Type {
        @JsonProperty("snapshot") SNAPSHOT,
        @JsonProperty("snapshot-end") SNAPSHOT_END,
        @JsonProperty("upsert") UPSERT,
        @JsonProperty("delete") DELETE,
        @JsonProperty("heartbeat") HEARTBEAT,
        @JsonProperty("cutoff") CUTOFF;

        /** The name on the wire: the SSE {@code event:} field and the JSON {@code type}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public static ChangeEvent snapshot(TenantEntry entry) {
        return new ChangeEvent(Type.SNAPSHOT, entry.tenantId(), entry.version(), entry, null, null);
    }

    public static ChangeEvent snapshotEnd(String token) {
        return new ChangeEvent(Type.SNAPSHOT_END, null, null, null, token, null);
    }

    public static ChangeEvent upsert(TenantEntry entry, String token) {
        return new ChangeEvent(Type.UPSERT, entry.tenantId(), entry.version(), entry, token, null);
    }

    public static ChangeEvent delete(String tenantId, long version, String token) {
        return new ChangeEvent(Type.DELETE, tenantId, version, null, token, null);
    }

    public static ChangeEvent heartbeat(String token) {
        return new ChangeEvent(Type.HEARTBEAT, null, null, null, token, null);
    }

    public static ChangeEvent cutoff(String token, String reason) {
        return new ChangeEvent(Type.CUTOFF, null, null, null, token, reason);
    }
}
