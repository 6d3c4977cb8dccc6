package io.tenantindex.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

    @Test
    void shouldNeverPrintSaslOrTlsSecrets() {
        KafkaSettings settings = new KafkaSettings("broker:9093", Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"s3cret\";",
                "ssl.truststore.password", "trust-s3cret"));
        assertThat(settings.toString()).contains("SASL_SSL", "broker:9093").doesNotContain("s3cret");
        assertThat(settings.clientProperties()).containsEntry("ssl.truststore.password", "trust-s3cret");
    }
}
