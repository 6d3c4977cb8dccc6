package io.tenantindex.writer;

import io.tenantindex.common.feed.FeedSource;
import io.tenantindex.common.feed.TopicHistory;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.common.kafka.VersionHeader;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.TenantJson;
import io.tenantindex.schemas.TenantRegistration;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/** The writer's view as the change feed reads it: snapshots are its id-ordered pages, served once the replay is done. */
final class WriterFeedSource implements FeedSource {
    private final String topic;
    private final TenantView view;
    private final BooleanSupplier replayed;

    WriterFeedSource(String topic, TenantView view, BooleanSupplier replayed) {
        this.topic = topic;
        this.view = view;
        this.replayed = replayed;
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public int partitions() {
        return view.partitions();
    }

    @Override
    public void requireReady() {
        if (!replayed.getAsBoolean()) {
            throw TenantIndexException.notReady("writer is still replaying the index topic", Duration.ofSeconds(1));
        }
    }

    @Override
    public Page page(String after, int limit) {
        TenantView.Page page = view.page(after, limit);
        return new Page(page.items().stream().map(TenantJson::of).toList(), page.nextCursor());
    }

    /** What the writer's ring no longer holds, read back from the topic and decoded as the replay decodes it. */
    static TopicHistory history(KafkaSettings kafka, String topic, Deserializer<TenantRegistration> values, Admin admin) {
        return new TopicHistory(kafka.clientProperties(), topic, r -> {
            TenantRegistration value;
            try {
                value = r.value() == null ? null : values.deserialize(r.topic(), r.value());
            } catch (SerializationException e) {
                // Undecodable: no change to show, as the writer's view skips it.
                return null;
            }
            return TenantView.change(r.key(), value, VersionHeader.of(r.headers()), r.partition(), r.offset());
        }, () -> TopicAdmin.deleteRetentionMs(admin, topic, "index-writer"), System::currentTimeMillis);
    }
}
