package io.tenantindex.common.feed;

import io.tenantindex.protocol.TenantEntry;
import java.util.List;

/**
 * What a process that holds the whole index (a colo, the writer) gives its change feed besides
 * the {@link ChangeRing} it appends to: the index in key order for snapshots, and whether it can
 * serve at all.
 */
public interface FeedSource {
    String topic();

    int partitions();

    /** Fails with a 503 {@code TenantIndexException} (with Retry-After) while the index cannot be served. */
    void requireReady();

    /**
     * Up to {@code limit} entries with tenant ids strictly after {@code after} (null: from the start)
     * in id order; {@code next} is null on the last page. Pages read the live index, not a snapshot.
     */
    Page page(String after, int limit);

    record Page(List<TenantEntry> entries, String next) {
    }
}
