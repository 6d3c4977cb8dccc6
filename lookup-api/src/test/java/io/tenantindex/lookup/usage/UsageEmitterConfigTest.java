package io.tenantindex.lookup.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageEmitterConfigTest {
    private static final Settings ORD = Settings.of(Map.of(ConfigKeys.COLO, "ORD"));

    @Test
    void shouldSendUncompressedUnlessToldOtherwise() {
        assertThat(UsageEmitterConfig.from(ORD).compressionType()).isEqualTo("none");
        assertThat(UsageEmitterConfig.from(ORD.with(ConfigKeys.USAGE_EMITTER_COMPRESSION_TYPE, "zstd")).compressionType()).isEqualTo("zstd");
    }

    @Test
    void shouldRefuseACompressionTypeKafkaDoesNotKnow() {
        assertThatThrownBy(() -> UsageEmitterConfig.from(ORD.with(ConfigKeys.USAGE_EMITTER_COMPRESSION_TYPE, "brotli")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("usage.emitter.compression.type").hasMessageContaining("brotli");
    }
}
