package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.colo.IndexReplica.EncodedEntry;
import io.tenantindex.common.IndexDigest;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.feed.ChangeRing;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.InMemorySchemaRegistry;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import io.tenantindex.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ColoTopologyTest {
    private static final String TOPIC = "tenant-index";

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry(100_001);
    private final ConfluentAvroSerializer<TenantRegistration> serializer = new ConfluentAvroSerializer<>(registry, true, false);
    private MaterializerConfig config;
    private AppliedPositions positions;
    private PoisonRecords poison;
    private LiveStores liveStores;
    private ContentDigests digests;
    /** Store scans held back while {@code deferHashing}, as on a busy hashing thread; run at once otherwise. */
    private final List<Runnable> deferredScans = new ArrayList<>();
    private boolean deferHashing;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> input;
    private TestOutputTopic<String, byte[]> dlq;
    private KeyValueStore<String, IndexRecord> store;

    @BeforeEach
    void setUp() {
        config = MaterializerConfig.from(Settings.of(Map.of(
                ConfigKeys.COLO, "ord",
                ConfigKeys.INSTANCE_ID, "i1",
                ConfigKeys.INDEX_TOPIC, TOPIC,
                ConfigKeys.STATE_DIR, SharedKafka.tempDir("ttd-").toString())));
        positions = new AppliedPositions(TOPIC, System::currentTimeMillis);
        poison = new PoisonRecords();
        liveStores = new LiveStores(1, 1 << 20, new AnswerTranscoder(registry), Runnable::run, true);
        digests = new ContentDigests(1, scan -> {
            if (deferHashing) {
                deferredScans.add(scan);
            } else {
                scan.run();
            }
        });
        Properties props = ColoTopology.getStreamsConfig(config);
        driver = new TopologyTestDriver(ColoTopology.buildTopology(new StreamsBuilder(), props, config,
                new IndexRecordSerde(registry), positions, poison, liveStores, digests, new ChangeRing(1, 16)), props);
        input = driver.createInputTopic(TOPIC, new StringSerializer(), new ByteArraySerializer());
        dlq = driver.createOutputTopic(config.dlqTopic(), new StringDeserializer(), new ByteArrayDeserializer());
        store = driver.getKeyValueStore(ColoTopology.STORE);
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void shouldNameTheApplicationAfterTheColoAndReuseTheSourceTopicAsChangelog() {
        assertThat(config.applicationId()).isEqualTo("tenant-index-colo-ORD-i1");
        assertThat(config.dlqTopic()).isEqualTo("tenant-index.dlq.ORD");
        Properties props = ColoTopology.getStreamsConfig(config);
        assertThat(props).containsEntry("processing.guarantee", "exactly_once_v2").containsEntry("topology.optimization", "all")
                .containsEntry("group.instance.id", "tenant-index-colo-ORD-i1");
        // With source-topic reuse there is no changelog topic: the only sink is the dead-letter topic.
        TopologyDescription description = ColoTopology.buildTopology(new StreamsBuilder(), props, config,
                new IndexRecordSerde(registry), positions, poison, new LiveStores(1, 1 << 20, new AnswerTranscoder(registry), Runnable::run, true), new ContentDigests(1, Runnable::run),
                new ChangeRing(1, 16)).describe();
        assertThat(description.toString()).doesNotContain("changelog").contains(config.dlqTopic());
    }

    @Test
    void shouldLendTheRunningTasksStoreToLookupsUntilItCloses() {
        input.pipeInput("acme", bytes(Registrations.of("acme", 4)));
        assertThat(liveStores.get(0)).isNotNull();
        assertThat(liveStores.get(0).get("acme").value().registration().getVersion()).isEqualTo(4);
        assertThat(liveStores.get(1)).isNull();

        driver.close();
        driver = null;
        assertThat(liveStores.get(0)).isNull();
    }

    @Test
    void shouldAnswerEncodedLookupsThatFollowEveryAppliedRecord() {
        ReplicaReader reader = new ReplicaReader("ORD", null, liveStores, digests, positions, new AnswerTranscoder(registry), Runnable::run, 1, 1);
        input.pipeInput("acme", bytes(Registrations.of("acme", 1)));
        EncodedEntry first = reader.lookupEncoded("acme").entry().orElseThrow();
        assertThat(first.version()).isEqualTo(1);
        assertThat(first.json()).isEqualTo(EncodedEntry.of(store.get("acme").registration()).json());
        assertThat(liveStores.answers().get(0, "acme")).as("remembered").isEqualTo(store.get("acme").raw());
        assertThat(reader.lookupEncoded("acme").entry().orElseThrow().json()).as("from the answer cache").isEqualTo(first.json());

        input.pipeInput("acme", bytes(Registrations.of("acme", 2)));
        assertThat(reader.lookupEncoded("acme").entry().orElseThrow().version()).isEqualTo(2);
        input.pipeInput("acme", (byte[]) null);
        assertThat(reader.lookupEncoded("acme").entry()).isEmpty();
        assertThat(reader.lookup("acme").registration()).isEmpty();

        input.pipeInput("acme", bytes(Registrations.of("acme", 3)));
        assertThat(reader.lookupEncoded("acme").entry().orElseThrow().version()).isEqualTo(3);
        driver.close();
        driver = null;
        assertThat(liveStores.answers().get(0, "acme")).as("forgotten when the task closes").isNull();
    }

    @Test
    void shouldWarmTheAnswerCacheWithEveryReadableValueWhenATaskStarts() {
        input.pipeInput("acme", bytes(Registrations.of("acme", 1)));
        input.pipeInput("zeta", bytes(Registrations.of("zeta", 2)));
        input.pipeInput("bad", new byte[] {0, 0, 0, 0, 1, 42});
        TimestampedKeyValueStore<String, IndexRecord> running = liveStores.get(0);

        liveStores.attach(0, running); // as when the task starts on a store it restored

        assertThat(liveStores.answers().get(0, "acme")).isEqualTo(store.get("acme").raw());
        assertThat(liveStores.answers().get(0, "zeta")).isEqualTo(store.get("zeta").raw());
        assertThat(liveStores.answers().get(0, "bad")).as("an id the registry does not know: decoded on lookup, not cached").isNull();
        input.pipeInput("acme", bytes(Registrations.of("acme", 3)));
        assertThat(liveStores.answers().get(0, "acme")).as("dropped when its next record applies").isNull();
    }

    @Test
    void shouldWarmTheAnswerCacheOfARebuiltGenerationOnlyOnceItServesAndEmptyTheOneItReplaces() {
        input.pipeInput("acme", bytes(Registrations.of("acme", 1)));
        LiveStores rebuilt = new LiveStores(1, 1 << 20, new AnswerTranscoder(registry), Runnable::run, false);

        rebuilt.attach(0, liveStores.get(0));
        assertThat(rebuilt.answers().heldBytes()).as("while another generation serves").isZero();
        rebuilt.startWarming();

        assertThat(rebuilt.answers().get(0, "acme")).isEqualTo(store.get("acme").raw());
        liveStores.attach(0, liveStores.get(0)); // the generation it replaces, warmed
        assertThat(liveStores.answers().heldBytes()).isPositive();
        liveStores.stopWarming();
        assertThat(liveStores.answers().heldBytes()).as("the replaced generation's cache is emptied").isZero();
    }

    @Test
    void shouldMaterializeInsertsUpdatesAndTombstones() {
        input.pipeInput("acme", bytes(Registrations.of("acme", 1)));
        input.pipeInput("zeta", bytes(Registrations.of("zeta", 1)));
        assertThat(store.get("acme").registration().getVersion()).isEqualTo(1);

        input.pipeInput("acme", bytes(Registrations.of("acme", 2)));
        assertThat(store.get("acme").registration().getVersion()).isEqualTo(2);
        assertThat(store.get("acme").registration().getMetadata().getMaxConnections()).isEqualTo(100);

        input.pipeInput("acme", (byte[]) null);
        assertThat(store.get("acme")).isNull();
        assertThat(store.get("zeta").registration().getVersion()).isEqualTo(1);

        assertThat(positions.appliedOffset(0)).isEqualTo(3);
        assertThat(positions.processedRecords()).isEqualTo(4);
        assertThat(positions.lastAppliedAtMillis()).isPositive();
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(poison.count()).isZero();
    }

    @Test
    void shouldKeepTheDigestOfTheBytesAppliedRecordByRecordAtTheirOffset() {
        assertThat(digests.missing(1)).as("the task runs from the start: its (empty) store is hashed").isEmpty();
        byte[] acme1 = bytes(Registrations.of("acme", 1));
        TenantRegistration otherContent = Registrations.of("acme", 1);
        otherContent.setColoHint("AMS");
        byte[] acme1Other = bytes(otherContent);
        byte[] zeta1 = bytes(Registrations.of("zeta", 1));
        input.pipeInput("acme", acme1);
        input.pipeInput("zeta", zeta1);
        IndexDigest expected = new IndexDigest(1);
        expected.add(0, IndexDigest.entryHash("acme", acme1));
        expected.add(0, IndexDigest.entryHash("zeta", zeta1));
        assertThat(digests.read(1).totalHash()).isEqualTo(expected.totalHash());

        // The same version with other content is another digest; a tombstone takes the entry out.
        input.pipeInput("acme", acme1Other);
        assertThat(digests.read(1).totalHash()).isNotEqualTo(expected.totalHash());
        input.pipeInput("acme", (byte[]) null);
        IndexReplica.PartitionDigest p0 = digests.read(1).partitions().get(0);
        IndexDigest zetaOnly = new IndexDigest(1);
        zetaOnly.add(0, IndexDigest.entryHash("zeta", zeta1));
        assertThat(p0.hash()).isEqualTo(zetaOnly.partitionHash(0));
        assertThat(p0.entries()).isEqualTo(1);
        assertThat(p0.position()).isEqualTo(3);
    }

    @Test
    void shouldHashARestartedTasksStoreAsItWasAtTheStartWhileRecordsKeepApplying() {
        byte[] acme1 = bytes(Registrations.of("acme", 1));
        byte[] acme2 = bytes(Registrations.of("acme", 2));
        byte[] zeta1 = bytes(Registrations.of("zeta", 1));
        input.pipeInput("acme", acme1);
        input.pipeInput("zeta", zeta1);

        // The task starts again (as after a restore); its scan waits for the hashing thread, and a
        // scan of a task that stopped before it ran never counts.
        deferHashing = true;
        digests.stopped(0);
        digests.started(0, positions.appliedOffset(0));
        digests.stopped(0);
        digests.started(0, positions.appliedOffset(0));
        assertThat(digests.hashed(1)).isNotDone();
        assertThat(digests.read(1)).as("no digest while the store is being hashed").isNull();
        input.pipeInput("acme", acme2);

        deferredScans.forEach(Runnable::run);
        assertThat(digests.hashed(1)).isDone();
        IndexDigest expected = new IndexDigest(1);
        expected.add(0, IndexDigest.entryHash("acme", acme2));
        expected.add(0, IndexDigest.entryHash("zeta", zeta1));
        assertThat(digests.read(1).totalHash()).isEqualTo(expected.totalHash());
        assertThat(digests.read(1).totalEntries()).isEqualTo(2);
        assertThat(digests.read(1).partitions().get(0).position()).isEqualTo(2);
    }

    @Test
    void shouldCountAndDeadLetterPoisonRecordsAndKeepApplyingTheRest() {
        byte[] good = bytes(Registrations.of("b", 1));
        byte[] badMagic = good.clone();
        badMagic[0] = 0x7;
        byte[] unknownId = good.clone();
        unknownId[1] = 0x7f;
        byte[] truncated = Arrays.copyOf(good, good.length - 20);

        input.pipeInput("a", bytes(Registrations.of("a", 1)));
        input.pipeInput("b", good);
        input.pipeInput("b", badMagic);
        input.pipeInput("c", unknownId);
        input.pipeInput("d", truncated);
        input.pipeInput("e", bytes(Registrations.of("e", 1)));

        assertThat(poison.count()).isEqualTo(3);
        assertThat(store.get("a").registration().getVersion()).isEqualTo(1);
        assertThat(store.get("e").registration().getVersion()).isEqualTo(1);
        // The latest record of b is undecodable: the store says so (as a replay of the compacted topic would).
        assertThat(store.get("b").isPoison()).isTrue();
        assertThat(store.get("c").error()).contains("schema id");
        assertThat(store.get("d").isPoison()).isTrue();
        assertThat(positions.appliedOffset(0)).isEqualTo(5);

        List<TestRecord<String, byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).extracting(TestRecord::key).containsExactly("b", "c", "d");
        assertThat(dead.get(0).value()).isEqualTo(badMagic);
        assertThat(dead.get(1).value()).isEqualTo(unknownId);
        assertThat(dead.get(2).value()).isEqualTo(truncated);
        assertThat(header(dead.get(0), DeadLetterTopic.HEADER_OFFSET)).isEqualTo("2");
        assertThat(header(dead.get(0), DeadLetterTopic.HEADER_TOPIC)).isEqualTo(TOPIC);
        assertThat(header(dead.get(0), DeadLetterTopic.HEADER_ERROR)).contains("magic byte");
        assertThat(header(dead.get(2), DeadLetterTopic.HEADER_COLO)).isEqualTo("ORD");
    }

    @Test
    void shouldFailInsteadOfDeadLetteringWhenTheRegistryIsUnreachable() {
        byte[] good = bytes(Registrations.of("a", 1));
        InMemorySchemaRegistry cold = new InMemorySchemaRegistry(100_001);
        cold.unreachable(true);
        // A fresh serde has no cached schema, so it must ask the (unreachable) registry.
        assertThatThrownBy(() -> new IndexRecordSerde(cold).deserializer().deserialize(TOPIC, good))
                .isInstanceOf(SerializationException.class);
        assertThat(poison.count()).isZero();
    }

    private byte[] bytes(TenantRegistration r) {
        return serializer.serialize(TOPIC, r);
    }

    private static String header(TestRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
