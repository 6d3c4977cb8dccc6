package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriterConfigTest {
    private static final Map<String, String> BASE = Map.of(ConfigKeys.AUTH_DISABLED, "true");

    @Test
    void shouldElectWithASixSecondSessionAndAdvertiseTheHostAndBoundPortByDefault() {
        WriterConfig c = WriterConfig.from(Settings.of(BASE).with(ConfigKeys.HTTP_HOST, "10.0.0.7"));
        assertThat(c.election()).isTrue();
        assertThat(c.electionSessionTimeout()).isEqualTo(Duration.ofSeconds(6));
        assertThat(c.advertisedUrl(8443)).isEqualTo("http://10.0.0.7:8443");
    }

    @Test
    void shouldNeverAdvertiseTheWildcardAddress() {
        WriterConfig c = WriterConfig.from(Settings.of(BASE));
        assertThat(c.httpHost()).isEqualTo("0.0.0.0");
        assertThat(c.advertisedUrl(8080)).doesNotContain("0.0.0.0").endsWith(":8080");
    }

    @Test
    void shouldTakeTheAdvertisedUrlAndSessionTimeoutAsConfigured() {
        WriterConfig c = WriterConfig.from(Settings.of(BASE).with(Map.of(
                ConfigKeys.WRITER_ADVERTISED_URL, "https://writer-1.example:443",
                ConfigKeys.WRITER_ELECTION_SESSION_TIMEOUT_MS, "10000",
                ConfigKeys.WRITER_ELECTION_ENABLED, "false")));
        assertThat(c.advertisedUrl(8080)).isEqualTo("https://writer-1.example:443");
        assertThat(c.electionSessionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.election()).isFalse();
        assertThatThrownBy(() -> WriterConfig.from(Settings.of(BASE).with(ConfigKeys.WRITER_ELECTION_SESSION_TIMEOUT_MS, "10")))
                .hasMessageContaining(ConfigKeys.WRITER_ELECTION_SESSION_TIMEOUT_MS);
    }
}
