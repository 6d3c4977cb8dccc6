package io.tenantindex.common.kafka;

import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The header the writer puts on every index record: the tenant's version as 8 big-endian bytes. A
 * tombstone has no value to carry it, so this is how a deregistration's version reaches the
 * writer's replay and the change feeds.
 */
public final class VersionHeader {
    public static final String NAME = "tenant-index-version";

    private VersionHeader() {
    }

    /** The record's version, 0 when it has none (a record not written by the writer). */
    public static long of(Headers headers) {
        Header h = headers.lastHeader(NAME);
        return h == null || h.value().length != Long.BYTES ? 0 : ByteBuffer.wrap(h.value()).getLong();
    }
}
