package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code up}'s on-by-default switches: off with {@code --no-…} (picocli negates the declared name),
 * off with {@code TENANT_INDEX_SEED=false} / {@code TENANT_INDEX_SINK=false}, and a flag beats the environment.
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

    private static UpCommand parse(String... args) {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(args);
        return up;
    }
}
