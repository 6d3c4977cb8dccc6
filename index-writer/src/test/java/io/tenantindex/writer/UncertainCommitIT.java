package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.feed.ChangeRing;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import io.tenantindex.schemas.serde.ConfluentAvroDeserializer;
import io.tenantindex.testing.SharedKafka;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A commit that fails with an error that leaves its outcome open — here {@code INVALID_TXN_STATE},
 * which a coordinator that lost track of a transaction answers — on the real broker: the writer
 * finds out from the topic whether the transaction committed, answers the writes it did commit,
 * tries the ones it did not once more, and refuses a write (503, nothing committed) only when the
 * second try fails too. The producer is real; only its commit is made to fail, before or after the
 * broker has committed.
 */
class UncertainCommitIT {

    /** Where the injected failure happens. */
    private enum Failure { BEFORE_COMMIT, AFTER_COMMIT }

    @Test
    void shouldRetryOnceAWriteWhoseTransactionDidNotCommit() throws Exception {
        String topic = SharedKafka.uniqueName("uncertain-retried");
        try (IndexWriter writer = start(topic, Failure.BEFORE_COMMIT, 1)) {
            WriteResult result = put(writer, "acme");
            assertThat(result.version()).isEqualTo(1);
            assertThat(result.created()).isTrue();
            assertThat(writer.stats().failed).hasValue(0);
        }
        assertThat(CommittedRecords.versionsByTenant(topic)).isEqualTo(Map.of("acme", List.of(1L)));
    }

    @Test
    void shouldAnswerAWriteWhoseTransactionCommittedDespiteTheError() throws Exception {
        String topic = SharedKafka.uniqueName("uncertain-committed");
        try (IndexWriter writer = start(topic, Failure.AFTER_COMMIT, 1)) {
            WriteResult result = put(writer, "acme");
            assertThat(result.version()).isEqualTo(1);
            assertThat(result.created()).isTrue();
            assertThat(result.token().offsets()).hasSize(1);
        }
        // Committed once: not written again by a retry.
        assertThat(CommittedRecords.versionsByTenant(topic)).isEqualTo(Map.of("acme", List.of(1L)));
    }

    @Test
    void shouldRefuseAWriteWhenTheRetryFailsToo() throws Exception {
        String topic = SharedKafka.uniqueName("uncertain-refused");
        try (IndexWriter writer = start(topic, Failure.BEFORE_COMMIT, 2)) {
            assertThatThrownBy(() -> put(writer, "acme"))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(TenantIndexException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.UNAVAILABLE));
            assertThat(writer.stats().failed).hasValue(1);
            // The writer recovered: the next write commits.
            assertThat(put(writer, "beta").version()).isEqualTo(1);
        }
        assertThat(CommittedRecords.versionsByTenant(topic)).isEqualTo(Map.of("beta", List.of(1L)));
    }

    private static WriteResult put(IndexWriter writer, String tenantId) throws Exception {
        RegistrationRequest request = RegistrationRequest.parse(WriterFixture.body("pro").getBytes(StandardCharsets.UTF_8), tenantId);
        return writer.submit(new WriteCommand.Put(request, Precondition.NONE)).get(60, TimeUnit.SECONDS);
    }

    /** A started, active writer whose first {@code failures} commits fail at {@code failure}. */
    private static IndexWriter start(String topic, Failure failure, int failures) throws Exception {
        WriterConfig config = WriterConfig.from(WriterFixture.settings(topic, 3, "uncertain"));
        try (Admin admin = Admin.create(config.kafka().clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(config.topics().index()));
        }
        HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(config.registry());
        AtomicInteger failuresLeft = new AtomicInteger(failures);
        IndexWriter writer = new IndexWriter(topic, new TenantView(3, new ChangeRing(3, 16)),
                () -> failingCommits(new KafkaProducer<>(WriterApp.producerProperties(config), new StringSerializer(),
                        new ByteArraySerializer()), failure, failuresLeft),
                new RegistrationEncoder(registry, true, topic),
                new TopicReplay(config.kafka(), topic, ConfluentAvroDeserializer.specific(registry, TenantRegistration.getClassSchema())),
                100, System::currentTimeMillis);
        writer.start();
        writer.lead();
        assertThat(writer.settled().get(60, TimeUnit.SECONDS)).isEqualTo(IndexWriter.Role.ACTIVE);
        return writer;
    }

    @SuppressWarnings("unchecked")
    private static Producer<String, byte[]> failingCommits(Producer<String, byte[]> real, Failure failure, AtomicInteger failuresLeft) {
        return (Producer<String, byte[]>) Proxy.newProxyInstance(Producer.class.getClassLoader(), new Class<?>[] {Producer.class},
                (proxy, method, args) -> {
                    boolean fail = method.getName().equals("commitTransaction") && failuresLeft.getAndDecrement() > 0;
                    if (fail && failure == Failure.BEFORE_COMMIT) {
                        throw new InvalidTxnStateException("injected before the commit");
                    }
                    Object result;
                    try {
                        result = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (fail) {
                        throw new InvalidTxnStateException("injected after the commit");
                    }
                    return result;
                });
    }
}
