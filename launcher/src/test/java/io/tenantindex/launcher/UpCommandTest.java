package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.kafka.TopicsConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code up}'s on-by-default switches: off with {@code --no-…} (picocli negates the declared name),
 * off with {@code TENANT_INDEX_SEED=false} / {@code TENANT_INDEX_SINK=false}, and a flag beats the environment;
 * {@code --brokers 3} replicates the topics.
 */
class UpCommandTest {

    @Test
    void shouldSeedAndRunTheSinkByDefault() {
        LocalStackConfig config = parse().config(Map.of());
        assertThat(config.seedDemoTenants()).isTrue();
        assertThat(config.runSink()).isTrue();
    }

    @Test
    void shouldTurnSeedingAndTheSinkOffWithTheirNoFlags() {
        LocalStackConfig config = parse("--no-seed", "--no-sink").config(Map.of());
        assertThat(config.seedDemoTenants()).isFalse();
        assertThat(config.runSink()).isFalse();
    }

    @Test
    void shouldTurnSeedingAndTheSinkOffThroughTheEnvironment() {
        LocalStackConfig config = parse().config(Map.of("TENANT_INDEX_SEED", "false", "TENANT_INDEX_SINK", "false"));
        assertThat(config.seedDemoTenants()).isFalse();
        assertThat(config.runSink()).isFalse();
    }

    @Test
    void shouldLetAFlagWinOverTheEnvironment() {
        LocalStackConfig config = parse("--seed", "--sink", "--writer-port", "18080")
                .config(Map.of("TENANT_INDEX_SEED", "false", "TENANT_INDEX_SINK", "false", "TENANT_INDEX_WRITER_PORT", "9999"));
        assertThat(config.seedDemoTenants()).isTrue();
        assertThat(config.runSink()).isTrue();
        assertThat(config.writerPort()).isEqualTo(18080);
    }

    @Test
    void shouldReplicateTopicsThreeTimesWithMinInsyncTwoOnThreeBrokers() {
        for (LocalStackConfig config : List.of(parse("--brokers", "3").config(Map.of()),
                parse().config(Map.of("TENANT_INDEX_BROKERS", "3")))) {
            assertThat(config.brokers()).isEqualTo(3);
            TopicsConfig topics = TopicsConfig.from(config.shared());
            assertThat(topics.replicationFactor()).isEqualTo((short) 3);
            assertThat(topics.minInsyncReplicas()).isEqualTo(2);
        }
        TopicsConfig single = TopicsConfig.from(parse().config(Map.of()).shared());
        assertThat(single.replicationFactor()).isEqualTo((short) 1);
        assertThat(single.minInsyncReplicas()).isEqualTo(1);
    }

    @Test
    void shouldLetExplicitTopicSettingsWinOnACluster() {
        TopicsConfig topics = TopicsConfig.from(parse("--brokers", "3", "--topics-min-insync-replicas", "3").config(Map.of()).shared());
        assertThat(topics.replicationFactor()).isEqualTo((short) 3);
        assertThat(topics.minInsyncReplicas()).isEqualTo(3);
    }

    @Test
    void shouldRefuseEmbeddedBrokersNextToAnExternalCluster() {
        assertThatThrownBy(() -> parse("--brokers", "3", "--bootstrap-servers", "kafka1:9092").config(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("brokers");
    }

    private static UpCommand parse(String... args) {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(args);
        return up;
    }
}
