package io.tenantindex.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailoverTest {
    private static final URI ORD = URI.create("http://ord");
    private static final URI SIN = URI.create("http://sin");
    private static final URI AMS = URI.create("http://ams");

    @Test
    void shouldTryAColoThatFailedLastUntilItsTimeIsUpOrItAnswers() {
        AtomicLong now = new AtomicLong();
        Failover failover = new Failover(List.of(ORD, SIN, AMS), Duration.ofSeconds(5), now::get);
        assertThat(failover.order()).containsExactly(ORD, SIN, AMS);

        failover.failed(ORD);
        failover.failed(SIN);
        assertThat(failover.order()).containsExactly(AMS, ORD, SIN);
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(failover.order()).containsExactly(ORD, SIN, AMS);

        failover.failed(ORD);
        failover.answered(ORD);
        assertThat(failover.order()).containsExactly(ORD, SIN, AMS);
        assertThat(failover.preferred(ORD)).isTrue();
        assertThat(failover.preferred(SIN)).isFalse();
    }
}
