package io.tenantindex.colo;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Runs after the store update for every record of the index table (the record cache is off, so it
 * sees each one): records the applied position, and forwards poison records, byte for byte and with
 * their coordinates in headers, to the dead-letter sink. Forwards nothing else.
 */
final class ApplyProcessor extends ContextualProcessor<String, IndexRecord, String, byte[]> {
    private final AppliedPositions positions;
    private final PoisonRecords poison;
    private final String dlqTopic;
    private final String colo;

    ApplyProcessor(AppliedPositions positions, PoisonRecords poison, String dlqTopic, String colo) {
        this.positions = positions;
        this.poison = poison;
        this.dlqTopic = dlqTopic;
        this.colo = colo;
    }

    @Override
    public void process(Record<String, IndexRecord> record) {
        RecordMetadata meta = context().recordMetadata()
                .orElseThrow(() -> new IllegalStateException("index table records always come from the source topic"));
        IndexRecord value = record.value();
        if (value != null && value.isPoison()) {
            poison.record(meta.topic(), meta.partition(), meta.offset(), record.key(), value.error(), dlqTopic);
            RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            headers.add(DeadLetterTopic.HEADER_ERROR, utf8(value.error()));
            headers.add(DeadLetterTopic.HEADER_TOPIC, utf8(meta.topic()));
            headers.add(DeadLetterTopic.HEADER_PARTITION, utf8(Integer.toString(meta.partition())));
            headers.add(DeadLetterTopic.HEADER_OFFSET, utf8(Long.toString(meta.offset())));
            headers.add(DeadLetterTopic.HEADER_COLO, utf8(colo));
            context().forward(new Record<>(record.key(), value.raw(), record.timestamp(), headers));
        }
        positions.processed(meta.partition(), meta.offset());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
