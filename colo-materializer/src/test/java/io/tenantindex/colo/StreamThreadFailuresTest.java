package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The waits before each replacement of a failing stream thread; {@link StreamThreadFailuresIT} sees them on a real one. */
class StreamThreadFailuresTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final StreamThreadFailures failures = new StreamThreadFailures("ORD", Path.of("state"), now::get);

    @Test
    void shouldReplaceAtOnceThenBackOffExponentiallyUpToAMinute() {
        assertThat(failures.recordFailure()).isEqualTo(Duration.ZERO);
        long[] expected = {1, 2, 4, 8, 16, 32, 60, 60};
        for (long seconds : expected) {
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            assertThat(failures.recordFailure()).isEqualTo(Duration.ofSeconds(seconds));
        }
    }

    @Test
    void shouldStartAgainWithoutAWaitAfterFiveQuietMinutes() {
        failures.recordFailure();
        failures.recordFailure();
        now.addAndGet(StreamThreadFailures.QUIET_RESET.toNanos() + 1);
        assertThat(failures.recordFailure()).isEqualTo(Duration.ZERO);
    }
}
