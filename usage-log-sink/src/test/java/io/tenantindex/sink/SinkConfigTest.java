package io.tenantindex.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkConfigTest {

    @Test
    void shouldDefaultToTheLocalStackAndKeepWindowsAsLongAsTheTopicKeepsEvents() {
        SinkConfig config = SinkConfig.from(Settings.empty());
        assertThat(config.httpPort()).isEqualTo(8090);
        assertThat(config.applicationId()).isEqualTo(SinkConfig.DEFAULT_APPLICATION_ID);
        assertThat(config.topics().usageTopic()).isEqualTo("tenant-usage");
        assertThat(config.windowRetention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void shouldNeverKeepWindowsShorterThanAnHourPlusGrace() {
        SinkConfig config = SinkConfig.from(Settings.of(Map.of(
                ConfigKeys.USAGE_RETENTION_MS, Long.toString(Duration.ofMinutes(10).toMillis()),
                ConfigKeys.SINK_GRACE_MS, "60000")));
        assertThat(config.windowRetention()).isEqualTo(Duration.ofMinutes(61));
    }

    @Test
    void shouldFailFastNamingTheBadKey() {
        assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of(ConfigKeys.SINK_HTTP_PORT, "http"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sink.http.port").hasMessageContaining("TENANT_INDEX_SINK_HTTP_PORT");
        assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of(ConfigKeys.SINK_EVENTS_MAX_SCAN, "5"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sink.events.max.scan");
    }

    @Test
    void shouldReadFlagsAsSettingKeys() {
        SinkConfig config = SinkConfig.from(Settings.fromEnvironmentAndArgs(Map.of("TENANT_INDEX_SINK_GRACE_MS", "1000"),
                new String[] {"--sink-http-port", "9000", "--bootstrap-servers=k1:9092,k2:9092"}));
        assertThat(config.httpPort()).isEqualTo(9000);
        assertThat(config.kafka().bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(config.grace().toMillis()).isEqualTo(1000);
    }

    @Test
    void shouldRefuseToStartOnAStateDirectoryItCannotUseBeforeTouchingKafka(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        // No broker anywhere: the directory is checked first, with one clear error.
        assertThatThrownBy(() -> UsageSink.start(SinkConfig.from(Settings.of(Map.of(
                ConfigKeys.STATE_DIR, file.resolve("state").toString(), ConfigKeys.BOOTSTRAP_SERVERS, "127.0.0.1:1")))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file + " is a regular file");
    }
}
