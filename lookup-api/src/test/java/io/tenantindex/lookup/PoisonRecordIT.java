package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.colo.DeadLetterTopic;
import io.tenantindex.common.Json;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** Undecodable records on the real topic: the colo keeps serving and dead-letters them. */
class PoisonRecordIT {
    @Test
    void shouldKeepServingAndDeadLetterPoisonRecords() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            kafka.write(registration("before", 1));
            byte[] badMagic = "{\"json\":\"not avro\"}".getBytes(StandardCharsets.UTF_8);
            byte[] unknownSchema = {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4, 6};
            kafka.writeRaw("poison-1", badMagic);
            kafka.writeRaw("poison-2", unknownSchema);
            try (ColoServer colo = kafka.startColo("ORD", SharedKafka.tempDir("colo-"))) {
                await().atMost(Duration.ofSeconds(30)).until(colo::isReady);
                String base = "http://127.0.0.1:" + colo.port();
                kafka.write(registration("after", 1));
                await().atMost(Duration.ofSeconds(30)).until(() -> Http.get(base + "/tenants/after").statusCode() == 200);
                assertThat(Http.get(base + "/tenants/before").statusCode()).isEqualTo(200);

                JsonNode stats = Json.MAPPER.readTree(Http.get(base + "/stats").body());
                assertThat(stats.path("poisonRecords").asLong()).isEqualTo(2);
                assertThat(stats.path("status").asText()).isEqualTo("ready");
                // The tenant's latest record is unreadable: an explicit error, not a wrong answer.
                assertThat(Http.get(base + "/tenants/poison-1").statusCode()).isEqualTo(500);

                List<ConsumerRecord<String, byte[]>> dead = readAll(kafka.bootstrap, DeadLetterTopic.defaultName(kafka.topic, "ORD"), 2);
                assertThat(dead).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("poison-1", "poison-2");
                ConsumerRecord<String, byte[]> first = dead.stream().filter(r -> r.key().equals("poison-1")).findFirst().orElseThrow();
                assertThat(first.value()).isEqualTo(badMagic);
                assertThat(new String(first.headers().lastHeader(DeadLetterTopic.HEADER_TOPIC).value(), StandardCharsets.UTF_8))
                        .isEqualTo(kafka.topic);
                assertThat(first.headers().lastHeader(DeadLetterTopic.HEADER_OFFSET)).isNotNull();
            }
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic, int expected) {
        Properties props = KafkaSettings.of(bootstrap).clientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= expected;
            });
        }
        return out;
    }
}
