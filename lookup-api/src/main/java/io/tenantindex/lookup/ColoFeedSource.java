package io.tenantindex.lookup;

import io.tenantindex.colo.IndexReplica;
import io.tenantindex.common.feed.FeedSource;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.TenantJson;
import java.time.Duration;

/** A colo's replica as the change feed reads it: snapshots are its id-ordered pages, served once it is ready. */
final class ColoFeedSource implements FeedSource {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final IndexReplica replica;
    private final String topic;

    ColoFeedSource(IndexReplica replica, String topic) {
        this.replica = replica;
        this.topic = topic;
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public int partitions() {
        return replica.partitions();
    }

    @Override
    public void requireReady() {
        IndexReplica.ReplicaState state = replica.state();
        if (!state.ready()) {
            throw TenantIndexException.notReady("colo " + replica.colo() + " is not serving its whole replica yet (lag "
                    + state.lag() + ")", RETRY_AFTER);
        }
    }

    @Override
    public Page page(String after, int limit) {
        IndexReplica.TenantPage page = replica.page(after, limit);
        return new Page(page.items().stream().map(TenantJson::of).toList(), page.nextCursor());
    }
}
