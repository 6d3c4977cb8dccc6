package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/**
 * A stream thread that keeps failing is replaced after growing waits, its group member removed first;
 * {@link StreamThreadFailuresIT} sees the waits on a real one.
 */
class StreamThreadFailuresTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> departed = new CopyOnWriteArrayList<>();
    private final StreamThreadFailures failures = new StreamThreadFailures("ORD", Path.of("state"), now::get, departed::add);

    @Test
    void shouldRemoveTheDyingThreadsMemberBeforeReplacingIt() {
        assertThat(failures.handle(new MissingSourceTopicException("One or more source topics were missing during rebalance")))
                .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(departed).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void shouldKeepTheMemberWhenAnotherProcessFencedIt() {
        assertThat(failures.handle(new StreamsException(new FencedInstanceIdException("fenced"))))
                .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(departed).isEmpty();
    }

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
