package io.tenantindex.common.http;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tokens' rules at start; the 401/403 answers are tested over HTTP (WriterAuthIT). */
class BearerAuthTest {

    @Test
    void shouldRefuseOneTokenForBothRoles() {
        String token = "a-long-enough-random-looking-token-0123456789";
        assertThatThrownBy(() -> BearerAuth.from(Settings.of(Map.of(ConfigKeys.WRITER_TOKEN, token, ConfigKeys.ADMIN_TOKEN, token))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must differ");
    }

    @Test
    void shouldRefuseToStartWithoutTokensUnlessAuthIsDisabled() {
        assertThatThrownBy(() -> BearerAuth.from(Settings.empty()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("TENANT_INDEX_WRITER_TOKEN");
    }
}
