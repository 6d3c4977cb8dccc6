package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The on-by-default switches of {@code up} turn off with {@code --no-…} (picocli negates the declared name). */
class UpCommandTest {

    @Test
    void shouldSeedAndRunTheSinkByDefault() {
        UpCommand up = parse();
        assertThat(up.seed).isTrue();
        assertThat(up.sink).isTrue();
    }

    @Test
    void shouldTurnSeedingAndTheSinkOffWithTheirNoFlags() {
        UpCommand up = parse("--no-seed", "--no-sink");
        assertThat(up.seed).isFalse();
        assertThat(up.sink).isFalse();
    }

    private static UpCommand parse(String... args) {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(args);
        return up;
    }
}
