package io.tenantindex.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void shouldLetFlagsWinOverEnvironmentAndMapNamesByOneRule() {
        Settings s = Settings.fromEnvironmentAndArgs(
                Map.of("TENANT_INDEX_HTTP_PORT", "9000", "TENANT_INDEX_COLO", "SIN", "PATH", "/bin",
                        "TENANT_INDEX_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
                new String[] {"--http-port", "8081", "--bootstrap-servers=k:9092", "--verbose"});
        assertThat(s.intValue("http.port", 1, 0, 65535)).isEqualTo(8081);
        assertThat(s.string("colo", "ORD")).isEqualTo("SIN");
        assertThat(s.string("bootstrap.servers", null)).isEqualTo("k:9092");
        assertThat(s.bool("verbose", false)).isTrue();
        assertThat(s.withPrefix("kafka.")).containsExactly(Map.entry("security.protocol", "SASL_SSL"));
        assertThat(Settings.envName("http.port")).isEqualTo("TENANT_INDEX_HTTP_PORT");
        assertThat(Settings.flagName("http.port")).isEqualTo("--http-port");
    }

    @Test
    void shouldFailFastNamingTheKeyFlagAndVariable() {
        Settings s = Settings.of(Map.of("http.port", "eighty", "index.partitions", "0"));
        assertThatThrownBy(() -> s.intValue("http.port", 1, 0, 65535))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--http-port").hasMessageContaining("TENANT_INDEX_HTTP_PORT").hasMessageContaining("eighty");
        assertThatThrownBy(() -> s.intValue("index.partitions", 6, 1, 100)).hasMessageContaining("between 1 and 100");
        assertThatThrownBy(() -> s.required("colo")).hasMessageContaining("missing setting 'colo'");
        assertThatThrownBy(() -> Settings.fromEnvironmentAndArgs(Map.of(), new String[] {"up"}))
                .isInstanceOf(ConfigException.class);
    }
}
