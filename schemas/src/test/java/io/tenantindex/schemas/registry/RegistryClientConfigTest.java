package io.tenantindex.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryClientConfigTest {
    @Test
    void shouldDefaultToTheLocalStackWithoutAutoRegistration() {
        RegistryClientConfig c = RegistryClientConfig.from(Settings.empty());

        assertThat(c.urls()).containsExactly("http://127.0.0.1:8085");
        assertThat(c.autoRegister()).isFalse();
        assertThat(c.authorizationHeader()).isNull();
        assertThat(c.maxAttempts()).isEqualTo(4);
    }

    @Test
    void shouldReadEveryKey() {
        RegistryClientConfig c = RegistryClientConfig.from(Settings.of(Map.of(
                ConfigKeys.REGISTRY_URL, "https://a.example:8081/, https://b.example:8081",
                ConfigKeys.REGISTRY_AUTO_REGISTER, "true",
                ConfigKeys.REGISTRY_BEARER_TOKEN, "tok",
                ConfigKeys.REGISTRY_CONNECT_TIMEOUT_MS, "1500",
                ConfigKeys.REGISTRY_REQUEST_TIMEOUT_MS, "2500",
                ConfigKeys.REGISTRY_RETRY_MAX_ATTEMPTS, "6",
                ConfigKeys.REGISTRY_RETRY_BACKOFF_MS, "50",
                ConfigKeys.REGISTRY_RETRY_BACKOFF_MAX_MS, "800")));

        assertThat(c.urls()).isEqualTo(List.of("https://a.example:8081", "https://b.example:8081"));
        assertThat(c.autoRegister()).isTrue();
        assertThat(c.authorizationHeader()).isEqualTo("Bearer tok");
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.maxAttempts()).isEqualTo(6);
        assertThat(c.retryBackoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.retryBackoffMax()).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void shouldRefuseTwoKindsOfCredentials() {
        assertThatThrownBy(() -> RegistryClientConfig.from(Settings.of(Map.of(
                ConfigKeys.REGISTRY_BASIC_AUTH_USER_INFO, "u:p",
                ConfigKeys.REGISTRY_BEARER_TOKEN, "tok"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.basic.auth.user.info")
                .hasMessageContaining("registry.bearer.token");
    }

    @Test
    void shouldRefuseBasicAuthWithoutAPassword() {
        assertThatThrownBy(() -> RegistryClientConfig.of("http://r:8081").withBasicAuth("just-a-user"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("user:password");
    }

    @Test
    void shouldRefuseAUrlThatIsNotHttp() {
        assertThatThrownBy(() -> RegistryClientConfig.of("registry:8081"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.url");
    }

    @Test
    void shouldNameAMissingTruststoreFile() {
        assertThatThrownBy(() -> RegistryClientConfig.from(Settings.of(Map.of(
                ConfigKeys.REGISTRY_TRUSTSTORE_LOCATION, "/nonexistent/trust.p12"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.ssl.truststore.location")
                .hasMessageContaining("/nonexistent/trust.p12");
    }

    @Test
    void shouldNeverPrintSecrets() {
        String shown = RegistryClientConfig.of("http://r:8081").withBasicAuth("user:hunter2").toString()
                + RegistryClientConfig.of("http://r:8081").withBearerToken("tok-secret").toString();

        assertThat(shown).doesNotContain("hunter2").doesNotContain("tok-secret").contains("auth=basic").contains("auth=bearer");
    }
}
