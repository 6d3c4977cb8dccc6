package io.tenantindex.lookup;

import io.tenantindex.colo.ColoTopology;
import io.tenantindex.common.IndexDigest;
import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import io.tenantindex.testing.SharedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One index topic on the shared broker, a registry, a transactional producer writing like the
 * index-writer does, and colos started against them. Each fixture has its own topic and app ids.
 */
final class ColoFixture implements AutoCloseable {
    static final int PARTITIONS = 3;
    private static EmbeddedSchemaRegistry registry;

    final String bootstrap = SharedKafka.bootstrapServers();
    final String topic = SharedKafka.uniqueName("idx");
    final String appSuffix = SharedKafka.uniqueName("t");
    final TopicsConfig topics;
    private final KafkaProducer<String, TenantRegistration> producer;
    private final ConfluentAvroSerializer<TenantRegistration> values =
            new ConfluentAvroSerializer<>(new HttpSchemaRegistryClient(registryUrl()), true, false);
    private final KafkaProducer<String, byte[]> rawProducer;

    ColoFixture() {
        topics = TopicsConfig.from(Settings.of(Map.of(ConfigKeys.INDEX_TOPIC, topic,
                ConfigKeys.INDEX_PARTITIONS, Integer.toString(PARTITIONS))));
        try (Admin admin = Admin.create(KafkaSettings.of(bootstrap).clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(topics.index()));
        }
        Properties props = KafkaSettings.of(bootstrap).clientProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-writer-" + UUID.randomUUID());
        producer = new KafkaProducer<>(props, new StringSerializer(),
                new ConfluentAvroSerializer<>(new HttpSchemaRegistryClient(registryUrl()), true, false));
        producer.initTransactions();
        Properties raw = KafkaSettings.of(bootstrap).clientProperties();
        raw.put(ProducerConfig.ACKS_CONFIG, "all");
        rawProducer = new KafkaProducer<>(raw, new StringSerializer(), new ByteArraySerializer());
    }

    static synchronized String registryUrl() {
        if (registry == null) {
            registry = EmbeddedSchemaRegistry.start(KafkaSettings.of(SharedKafka.bootstrapServers()),
                    TopicsConfig.from(Settings.empty()).schemas(), "127.0.0.1", 0);
        }
        return registry.url();
    }

    /** One committed transaction; returns the token of each record, as the writer would. */
    List<ConsistencyToken> write(List<TenantRegistration> registrations) {
        producer.beginTransaction();
        var futures = registrations.stream()
                .map(r -> producer.send(new ProducerRecord<>(topic, r.getTenantId(), r)))
                .toList();
        producer.commitTransaction();
        return futures.stream().map(f -> {
            try {
                RecordMetadata md = f.get();
                return ConsistencyToken.of(topic, PARTITIONS, md.partition(), md.offset());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    /** Adds what {@link #write} wrote ({@code registrations} at {@code tokens}) to {@code expected}: its bytes, as a colo hashes them. */
    void addWritten(IndexDigest expected, List<TenantRegistration> registrations, List<ConsistencyToken> tokens) {
        for (int i = 0; i < registrations.size(); i++) {
            TenantRegistration r = registrations.get(i);
            expected.add(tokens.get(i).offsets().firstKey(), IndexDigest.entryHash(r.getTenantId(), values.serialize(topic, r)));
        }
    }

    ConsistencyToken write(TenantRegistration registration) {
        return write(List.of(registration)).get(0);
    }

    ConsistencyToken delete(String tenantId) {
        producer.beginTransaction();
        var f = producer.send(new ProducerRecord<>(topic, tenantId, null));
        producer.commitTransaction();
        try {
            RecordMetadata md = f.get();
            return ConsistencyToken.of(topic, PARTITIONS, md.partition(), md.offset());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes as they are, outside any transaction: how a poison record gets onto the topic. */
    void writeRaw(String key, byte[] value) {
        try {
            rawProducer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    Settings coloSettings(String colo, Path stateDir) {
        Map<String, String> s = new HashMap<>();
        s.put(ConfigKeys.COLO, colo);
        s.put(ConfigKeys.BOOTSTRAP_SERVERS, bootstrap);
        s.put(ConfigKeys.REGISTRY_URL, registryUrl());
        s.put(ConfigKeys.STATE_DIR, stateDir.toString());
        s.put(ConfigKeys.HTTP_HOST, "127.0.0.1");
        s.put(ConfigKeys.HTTP_PORT, "0");
        s.put(ConfigKeys.INDEX_TOPIC, topic);
        s.put(ConfigKeys.INDEX_PARTITIONS, Integer.toString(PARTITIONS));
        s.put(ConfigKeys.COLO_APP_ID_SUFFIX, appSuffix);
        s.put(ConfigKeys.COLO_REFRESH_INTERVAL_MS, "200");
        // Lookups need no token; the admin token of rebuilds is tested in LookupRoutesTest.
        s.put(ConfigKeys.AUTH_DISABLED, "true");
        return Settings.of(s);
    }

    ColoServer startColo(String colo, Path stateDir) {
        return ColoServer.start(ColoConfig.from(coloSettings(colo, stateDir)), UsageRecorder.NONE);
    }

    /**
     * The colo's own main() in a child JVM (so that it can be killed -9) with {@code extraArgs} appended;
     * output goes to {@link #processLog}.
     */
    Process startProcess(String colo, Path stateDir, int port, String name, String... extraArgs) throws IOException {
        Settings s = coloSettings(colo, stateDir);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), ColoServer.class.getName()));
        for (String key : List.of(ConfigKeys.COLO, ConfigKeys.BOOTSTRAP_SERVERS, ConfigKeys.REGISTRY_URL, ConfigKeys.STATE_DIR,
                ConfigKeys.HTTP_HOST, ConfigKeys.INDEX_TOPIC, ConfigKeys.INDEX_PARTITIONS, ConfigKeys.COLO_APP_ID_SUFFIX,
                ConfigKeys.COLO_REFRESH_INTERVAL_MS)) {
            command.add(Settings.flagName(key));
            command.add(s.required(key));
        }
        command.addAll(List.of(Settings.flagName(ConfigKeys.HTTP_PORT), Integer.toString(port),
                Settings.flagName(ConfigKeys.USAGE_TOPIC), topic + "-usage",
                // Bearer auth of the admin endpoints is not what these tests are about.
                Settings.flagName(ConfigKeys.AUTH_DISABLED), "true",
                // A killed process stays a member of its groups until its session expires; the
                // broker's minimum (6 s) instead of the 45 s default keeps a restart quick.
                Settings.flagName(ConfigKeys.KAFKA_CLIENT_PREFIX + "session.timeout.ms"), "6000"));
        command.addAll(List.of(extraArgs));
        Path log = processLog(stateDir, name);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static Path processLog(Path stateDir, String name) throws IOException {
        Path dir = Path.of("target", "colo-processes");
        Files.createDirectories(dir);
        return dir.resolve(stateDir.getFileName() + "-" + name + ".log");
    }

    /**
     * Another Kafka Streams client in the colo's group (its application id) with a topology of the
     * same shape (one sub-topology over the index topic, the same store), so the assignor gives it
     * some of the colo's tasks.
     */
    KafkaStreams secondMember(String applicationId) {
        Properties props = KafkaSettings.of(bootstrap).clientProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
        props.put(StreamsConfig.STATE_DIR_CONFIG, SharedKafka.tempDir("intruder-").toString());
        StreamsBuilder builder = new StreamsBuilder();
        builder.table(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()),
                Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as(ColoTopology.STORE).withCachingDisabled());
        KafkaStreams streams = new KafkaStreams(builder.build(props), props);
        streams.start();
        return streams;
    }

    /** The index partitions the other member runs as active tasks. */
    static Set<Integer> heldBy(KafkaStreams streams) {
        Set<Integer> held = new TreeSet<>();
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return held;
        }
        streams.metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(task -> held.add(task.taskId().partition())));
        return held;
    }

    /** A colo's local state gone, as after a lost disk. */
    static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tombstones kept 100 ms, segments rolled after 100 ms, every dirty segment cleanable at once. */
    void compactAggressively() throws Exception {
        alterTopic(Map.of(TopicConfig.DELETE_RETENTION_MS_CONFIG, "100",
                TopicConfig.SEGMENT_MS_CONFIG, "100",
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01",
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0"));
    }

    void alterTopic(Map<String, String> configs) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Collection<AlterConfigOp> ops = configs
                .entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                .toList();
        try (Admin admin = Admin.create(KafkaSettings.of(bootstrap).clientProperties())) {
            admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get();
        }
    }

    /** The {@code n}-th tenant id that lands on {@code partition}. */
    static String keyOn(int partition, int n) {
        int found = 0;
        for (int i = 0; ; i++) {
            String id = "filler-" + i;
            if (IndexPartitioner.partitionFor(id, PARTITIONS) == partition && ++found == n) {
                return id;
            }
        }
    }

    /** Every key the partition holds now, read from its beginning to its end. */
    List<String> keysOf(int partition) {
        Properties props = KafkaSettings.of(bootstrap).clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        TopicPartition tp = new TopicPartition(topic, partition);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<String> keys = new ArrayList<>();
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    keys.add(r.key());
                }
            }
            return keys;
        }
    }

    @Override
    public void close() {
        producer.close();
        rawProducer.close();
    }
}
