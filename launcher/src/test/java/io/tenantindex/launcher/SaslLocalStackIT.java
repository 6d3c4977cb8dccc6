package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka security is plain configuration: the whole stack runs against a broker that only lets
 * clients in over SASL_PLAINTEXT, given nothing but {@code kafka.*} settings.
 */
class SaslLocalStackIT {
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"tenant-index\" password=\"s3cret-for-tests\";";
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.startWithSaslPlain(SharedKafka.tempDir("sasl-kafka"), Map.of("tenant-index", "s3cret-for-tests"));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void shouldRunTheWholeStackOverSaslWithOnlyKafkaClientSettings() {
        Settings settings = Settings.of(Map.of(
                ConfigKeys.BOOTSTRAP_SERVERS, broker.saslBootstrapServers(),
                "kafka.security.protocol", "SASL_PLAINTEXT",
                "kafka.sasl.mechanism", "PLAIN",
                "kafka.sasl.jaas.config", JAAS,
                ConfigKeys.DATA_DIR, SharedKafka.tempDir("sasl-stack").toString(),
                ConfigKeys.REGISTRY_PORT, "0",
                ConfigKeys.WRITER_PORT, "0",
                ConfigKeys.COLOS, "ORD:0",
                ConfigKeys.SINK_PORT, "0",
                // Tokens are LocalStackIT's subject; this test is about something else.
                ConfigKeys.AUTH_DISABLED, "true"));
        try (LocalStack stack = LocalStack.start(LocalStackConfig.from(settings))) {
            String writer = stack.writerUrl();
            assertThat(Http.putJson(writer + "/tenants/secure", "{\"metadata\":{\"tier\":\"pro\"}}").statusCode()).isEqualTo(201);
            String colo = stack.urls().get("lookup-api ORD");
            await().atMost(Duration.ofSeconds(30)).until(() -> Http.get(colo + "/tenants/secure").statusCode() == 200);
            // The sink and the usage emitter are Kafka clients too: the lookup's usage event must arrive.
            String sink = stack.urls().get("usage-log-sink");
            await().atMost(Duration.ofSeconds(30)).until(() -> Http.get(sink + "/usage/secure").body().contains("\"hits\":1"));
        }
    }

    @Test
    void shouldRefuseAClientWithTheWrongPassword() {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.saslBootstrapServers());
        p.put("security.protocol", "SASL_PLAINTEXT");
        p.put("sasl.mechanism", "PLAIN");
        p.put("sasl.jaas.config", JAAS.replace("s3cret-for-tests", "wrong"));
        try (Admin admin = Admin.create(p)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }
}
