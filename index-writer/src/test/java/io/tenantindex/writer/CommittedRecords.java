package io.tenantindex.writer;

import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.testing.SharedKafka;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Everything a read_committed reader of the topic can see: per tenant, the versions in log order. */
final class CommittedRecords {
    private CommittedRecords() {
    }

    static Map<String, List<Long>> versionsByTenant(String topic) {
        return versionsByTenant(SharedKafka.bootstrapServers(), topic);
    }

    static Map<String, List<Long>> versionsByTenant(String bootstrapServers, String topic) {
        Properties p = KafkaSettings.of(bootstrapServers).clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, List<Long>> out = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo info : c.partitionsFor(topic)) {
                tps.add(new TopicPartition(topic, info.partition()));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    long version = ByteBuffer.wrap(r.headers().lastHeader(TopicReplay.VERSION_HEADER).value()).getLong();
                    out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value() == null ? -version : version);
                }
            }
        }
        return out;
    }
}
