package io.tenantindex.common.feed;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tenantindex.common.Json;
import io.tenantindex.protocol.ChangeEvent;
import io.tenantindex.protocol.TenantEntry;
import java.util.function.Supplier;

/**
 * One applied record of the index topic as the change feed sends it: an upsert ({@code entry} set)
 * or a delete ({@code entry} null, {@code version} the tombstone's). The entry is converted only
 * when a feed sends it (most records a busy ring sees are evicted unsent), and its JSON without the
 * token is built once, however many feeds send it; each feed appends its own token.
 */
public final class Change {
    private final int partition;
    private final long offset;
    private final String tenantId;
    private final long version;
    private final Supplier<TenantEntry> entry;
    private volatile String untokenedJson;

    /** {@code entry} null: a delete. */
    public Change(int partition, long offset, String tenantId, long version, Supplier<TenantEntry> entry) {
        this.partition = partition;
        this.offset = offset;
        this.tenantId = tenantId;
        this.version = version;
        this.entry = entry;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public ChangeEvent.Type type() {
        return entry == null ? ChangeEvent.Type.DELETE : ChangeEvent.Type.UPSERT;
    }

    public ChangeEvent event(String token) {
        return entry == null ? ChangeEvent.delete(tenantId, version, token) : ChangeEvent.upsert(entry.get(), token);
    }

    /** The event's JSON with {@code token}: the shared part is serialized once. */
    String json(String token) {
        String head = untokenedJson;
        if (head == null) {
            try {
                String full = Json.MAPPER.writeValueAsString(event(null));
                // Drop the closing brace: the token is appended per feed (the event has at least a type).
                head = full.substring(0, full.length() - 1);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a change event always serializes", e);
            }
            untokenedJson = head;
        }
        return head + ",\"token\":\"" + token + "\"}";
    }
}
