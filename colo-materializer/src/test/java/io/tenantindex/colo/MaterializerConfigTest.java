package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaterializerConfigTest {

    @Test
    void shouldNameEveryInstanceOfAColoApartAndDefaultToTheHostName() throws Exception {
        assertThat(config(Map.of(ConfigKeys.INSTANCE_ID, "ord-a")).applicationId()).isEqualTo("tenant-index-colo-ORD-ord-a");
        assertThat(config(Map.of(ConfigKeys.INSTANCE_ID, "ord-a", ConfigKeys.COLO_APP_ID_SUFFIX, "t1")).withGeneration(2).applicationId())
                .isEqualTo("tenant-index-colo-ORD-ord-a-t1-g2");
        assertThat(config(Map.of()).instanceId()).isEqualTo(InetAddress.getLocalHost().getHostName());
    }

    @Test
    void shouldRefuseAnInstanceIdThatIsNoNameOrLooksLikeAGeneration() {
        for (String bad : new String[] {"a b", "a/b", "x".repeat(129), "pod-g2"}) {
            assertThatThrownBy(() -> config(Map.of(ConfigKeys.INSTANCE_ID, bad)))
                    .isInstanceOf(ConfigException.class).hasMessageContaining(ConfigKeys.INSTANCE_ID);
        }
    }

    private static MaterializerConfig config(Map<String, String> extra) {
        Map<String, String> s = new HashMap<>(extra);
        s.put(ConfigKeys.COLO, "ORD");
        return MaterializerConfig.from(Settings.of(s));
    }
}
