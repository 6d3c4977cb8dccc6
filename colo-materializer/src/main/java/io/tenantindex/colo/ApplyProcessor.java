package io.tenantindex.colo;

import io.tenantindex.common.feed.Change;
import io.tenantindex.common.feed.ChangeRing;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * Runs after the store update for every record of the index table (the record cache is off, so it
 * sees each one): records the applied position, and forwards poison records, byte for byte and with
 * their coordinates in headers, to the dead-letter sink. Forwards nothing else. While its task runs,
 * it lends the task's store to lookups ({@link LiveStores}), has the partition served
 * ({@link AppliedPositions#serving}) and keeps the partition's content digest
 * ({@link ContentDigests}): hashed once when the task starts, then record by record. Every applied
 * record that is not poison goes to the change feeds' {@link ChangeRing}.
 */
final class ApplyProcessor extends ContextualProcessor<String, IndexRecord, String, byte[]> {
    private final AppliedPositions positions;
    private final PoisonRecords poison;
    private final String dlqTopic;
    private final String colo;
    private final LiveStores liveStores;
    private final ContentDigests digests;
    private final ChangeRing changes;
    private TimestampedKeyValueStore<String, IndexRecord> store;
    private int partition;

    ApplyProcessor(AppliedPositions positions, PoisonRecords poison, String dlqTopic, String colo, LiveStores liveStores,
                   ContentDigests digests, ChangeRing changes) {
        this.positions = positions;
        this.poison = poison;
        this.dlqTopic = dlqTopic;
        this.colo = colo;
        this.liveStores = liveStores;
        this.digests = digests;
        this.changes = changes;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        super.init(context);
        partition = context.taskId().partition();
        store = context.getStateStore(ColoTopology.STORE);
        // Init runs once the task's restore is done: the store holds everything restored so far.
        digests.started(partition, positions.appliedOffset(partition));
        positions.serving(partition);
        // Records restored into the store meanwhile never passed the ring: it continues from what the store holds.
        changes.served(partition, positions.appliedOffset(partition));
        // Last: an attached store makes the colo count as ready, and a ready colo serves the partition.
        liveStores.attach(partition, store);
    }

    @Override
    public void close() {
        // Out of service before the store goes (closed, or wiped under exactly-once): a lookup that
        // read it meanwhile sees the change and does not answer from it.
        positions.closed(partition);
        liveStores.detach(partition, store);
        digests.stopped(partition);
    }

    @Override
    public void process(Record<String, IndexRecord> record) {
        RecordMetadata meta = context().recordMetadata()
                .orElseThrow(() -> new IllegalStateException("index table records always come from the source topic"));
        IndexRecord value = record.value();
        if (value != null && value.isPoison()) {
            poison.record(meta.topic(), meta.partition(), meta.offset(), record.key(), value.error(), dlqTopic);
            context().forward(new Record<>(record.key(), value.raw(), record.timestamp(),
                    DeadLetterTopic.headers(record.headers(), value.error(), meta.topic(), meta.partition(), meta.offset(), colo)));
        }
        digests.applied(meta.partition(), meta.offset());
        positions.processed(meta.partition(), meta.offset());
        Change change = ColoChanges.of(meta.partition(), meta.offset(), record.key(), record.headers(), value);
        if (change != null) {
            changes.append(change);
        }
    }
}
