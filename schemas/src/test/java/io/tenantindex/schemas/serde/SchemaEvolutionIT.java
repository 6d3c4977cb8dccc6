package io.tenantindex.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.common.kafka.TopicSpec;
import io.tenantindex.schemas.EmbeddedRegistries;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.TestSchemas;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import io.tenantindex.schemas.registry.SchemaRegistryException;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.TopicOffsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Schema evolution end to end on a real broker with the embedded registry: an old (v1, generated
 * class) reader reads v2 records, a new (v2, generic) reader reads v1 records, and an incompatible
 * change is refused with 409 before anything reaches the registry log or the topic.
 */
class SchemaEvolutionIT {
    private static final Schema V1 = TenantRegistration.getClassSchema();
    private static final Schema V2 = TestSchemas.v2();
    private static TopicSpec schemasTopic;
    private static EmbeddedSchemaRegistry registry;

    @BeforeAll
    static void start() {
        schemasTopic = EmbeddedRegistries.uniqueSchemasTopic();
        registry = EmbeddedRegistries.start(schemasTopic);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void shouldLetAV1ReaderReadV2Records() {
        String topic = newTopic("evolve-old-reader");
        var writerRegistry = new HttpSchemaRegistryClient(registry.url());
        produce(topic, new ConfluentAvroSerializer<>(writerRegistry, true, false), List.of(TestSchemas.registration("t-0", 1)));
        List<GenericRecord> v2Records = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            v2Records.add(v2(TestSchemas.registration("t-" + i, i), TestSchemas.labels(i)));
        }
        produce(topic, new ConfluentAvroSerializer<>(writerRegistry, true, false), v2Records);

        List<ConsumerRecord<String, TenantRegistration>> read = consume(topic, 6,
                ConfluentAvroDeserializer.specific(new HttpSchemaRegistryClient(registry.url()), V1));

        assertThat(writerRegistry.versions(ConfluentAvroSerializer.subjectFor(topic, false))).containsExactly(1, 2);
        assertThat(read).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrder(java.util.stream.IntStream.rangeClosed(0, 5)
                        .mapToObj(i -> TestSchemas.registration("t-" + i, Math.max(1, i))).toArray(TenantRegistration[]::new));
    }

    @Test
    void shouldLetAV2ReaderReadV1RecordsWithTheDefaults() {
        String topic = newTopic("evolve-new-reader");
        List<TenantRegistration> v1Records = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            v1Records.add(TestSchemas.registration("t-" + i, i));
        }
        produce(topic, new ConfluentAvroSerializer<>(new HttpSchemaRegistryClient(registry.url()), true, false), v1Records);

        List<ConsumerRecord<String, Object>> read = consume(topic, 5,
                ConfluentAvroDeserializer.generic(new HttpSchemaRegistryClient(registry.url()), V2));

        assertThat(read).hasSize(5).allSatisfy(r -> {
            GenericRecord value = (GenericRecord) r.value();
            assertThat(value.getSchema()).isEqualTo(V2);
            assertThat(value.get("tenantId").toString()).isEqualTo(r.key());
            assertThat(value.get("labels")).isEqualTo(Map.of());
            long version = Long.parseLong(r.key().substring(2));
            assertThat(value.get("version")).isEqualTo(version);
            assertThat(value.get("coloHint")).isEqualTo(version % 2 == 0 ? null : new Utf8("SJC"));
            GenericRecord metadata = (GenericRecord) value.get("metadata");
            assertThat(metadata.get("tier").toString()).isEqualTo("pro");
            assertThat(metadata.get("maxConnections")).isEqualTo(100);
        });
    }

    @Test
    void shouldRefuseAnIncompatibleSchemaWith409AndWriteNothing() {
        String topic = newTopic("evolve-incompatible");
        String subject = ConfluentAvroSerializer.subjectFor(topic, false);
        var client = new HttpSchemaRegistryClient(registry.url());
        produce(topic, new ConfluentAvroSerializer<>(client, true, false), List.of(TestSchemas.registration("t-1", 1)));
        long schemasBefore = EmbeddedRegistries.endOffset(schemasTopic);
        Map<TopicPartition, Long> topicBefore = TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), topic);

        for (Schema incompatible : List.of(TestSchemas.incompatibleNewField(), TestSchemas.incompatibleTypeChange())) {
            assertThatThrownBy(() -> client.register(subject, incompatible))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(409);
                        assertThat(e.errorCode()).isEqualTo(409);
                    });
        }
        // A producer with auto-registration on gets the refusal as a SerializationException, before sending.
        GenericRecord owned = new GenericData.Record(TestSchemas.incompatibleNewField());
        TenantRegistration v1 = TestSchemas.registration("t-2", 1);
        V1.getFields().forEach(f -> owned.put(f.name(), GenericData.get().deepCopy(f.schema(), v1.get(f.pos()))));
        owned.put("owner", "ops");
        try (KafkaProducer<String, GenericRecord> producer = producer(new ConfluentAvroSerializer<>(client, true, false))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "t-2", owned)))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining(subject)
                    .hasMessageContaining("409");
        }

        assertThat(EmbeddedRegistries.endOffset(schemasTopic)).isEqualTo(schemasBefore);
        assertThat(TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), topic)).isEqualTo(topicBefore);
        assertThat(client.versions(subject)).containsExactly(1);
    }

    @Test
    void shouldReportAPoisonRecordWithItsPartitionAndOffset() {
        String topic = newTopic("evolve-poison");
        produce(topic, new ConfluentAvroSerializer<>(new HttpSchemaRegistryClient(registry.url()), true, false),
                List.of(TestSchemas.registration("t-1", 1)));
        long poisonOffset;
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(producerProps(), new StringSerializer(), new ByteArraySerializer())) {
            poisonOffset = raw.send(new ProducerRecord<>(topic, 0, "bad", new byte[] {1, 0, 0, 0, 1, 2})).get().offset();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        ConfluentAvroDeserializer<TenantRegistration> deserializer =
                ConfluentAvroDeserializer.specific(new HttpSchemaRegistryClient(registry.url()), V1);

        try (KafkaConsumer<String, TenantRegistration> consumer = consumer(deserializer)) {
            TopicPartition p0 = new TopicPartition(topic, 0);
            consumer.assign(List.of(p0));
            consumer.seek(p0, poisonOffset);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThatThrownBy(() -> consumer.poll(Duration.ofMillis(200)))
                            .isInstanceOfSatisfying(RecordDeserializationException.class, e -> {
                                assertThat(e.topicPartition()).isEqualTo(p0);
                                assertThat(e.offset()).isEqualTo(poisonOffset);
                                assertThat(e.getMessage()).contains(topic + "-0").contains("offset " + poisonOffset);
                                assertThat(e.getCause()).isInstanceOf(SerializationException.class)
                                        .hasMessageContaining("topic " + topic).hasMessageContaining("magic byte 0x01");
                            }));
        }
    }

    private static GenericRecord v2(TenantRegistration v1, Map<String, String> labels) {
        GenericRecord r = new GenericData.Record(V2);
        for (Schema.Field f : V1.getFields()) {
            r.put(f.name(), GenericData.get().deepCopy(f.schema(), v1.get(f.pos())));
        }
        r.put("labels", labels);
        return r;
    }

    static String newTopic(String prefix) {
        String topic = SharedKafka.uniqueName(prefix);
        try (Admin admin = Admin.create(KafkaSettings.of(SharedKafka.bootstrapServers()).clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(new TopicSpec(topic, 3, (short) 1, Map.of())));
        }
        return topic;
    }

    static Properties producerProps() {
        Properties p = KafkaSettings.of(SharedKafka.bootstrapServers()).clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    static <V> KafkaProducer<String, V> producer(Serializer<V> values) {
        return new KafkaProducer<>(producerProps(), new StringSerializer(), values);
    }

    static <V extends GenericRecord> void produce(String topic, Serializer<V> values, List<V> records) {
        try (KafkaProducer<String, V> producer = producer(values)) {
            for (V r : records) {
                producer.send(new ProducerRecord<>(topic, r.get("tenantId").toString(), r)).get();
            }
        } catch (Exception e) {
            throw new AssertionError("producing to " + topic + " failed", e);
        }
    }

    static <V> KafkaConsumer<String, V> consumer(Deserializer<V> values) {
        return new KafkaConsumer<>(KafkaSettings.of(SharedKafka.bootstrapServers()).clientProperties(), new StringDeserializer(), values);
    }

    static <V> List<ConsumerRecord<String, V>> consume(String topic, int count, Deserializer<V> values) {
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = consumer(values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= count;
            });
        }
        assertThat(out).hasSize(count);
        return out;
    }
}
