package io.tenantindex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.protocol.ChangeEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ChangeFeedTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void shouldTakeAStreamSilentForTheIdleTimeoutAsDeadAndResumeWithItsToken() throws Exception {
        List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        try (FakeColo colo = FakeColo.start();
             ChangeFeed feed = ChangeFeed.builder().colos(List.of(colo.url())).idleTimeout(Duration.ofSeconds(1))
                     .handler(new ChangeFeed.Handler() {
                         @Override
                         public void snapshotStarted() {
                         }

                         @Override
                         public void event(ChangeEvent event) {
                             events.add(event);
                         }
                     }).start()) {
            await().atMost(TIMEOUT).until(feed::isLive);
            assertThat(feed.staleness()).isZero();

            // Nothing arrives, not even a heartbeat: after the idle timeout the feed ends that stream and resumes.
            await().atMost(TIMEOUT).until(() -> colo.sinces.contains("t0"));
            assertThat(colo.sinces).first().isEqualTo("");
            assertThat(events).containsOnly(ChangeEvent.snapshotEnd("t0"));
            assertThat(feed.snapshots()).isPositive();
        }
    }
}
