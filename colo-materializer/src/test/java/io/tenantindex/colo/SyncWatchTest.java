package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SyncWatchTest {
    /** refresh every 100 ms; a 4,000 ms retention trusts 2,000 ms, 20 refreshes: watchable. */
    private static final MaterializerConfig CONFIG = MaterializerConfig.from(Settings.of(Map.of(ConfigKeys.COLO, "ORD",
            ConfigKeys.INSTANCE_ID, "ord-a", ConfigKeys.INDEX_TOPIC, "idx", ConfigKeys.COLO_REFRESH_INTERVAL_MS, "100")));
    private final AppliedPositions positions = new AppliedPositions("idx", () -> 0);

    @Test
    void shouldCountAReplicaUnderSteadyWritesInSyncAsOfTheCheckItHasCaughtUpWith() {
        SyncWatch watch = new SyncWatch(CONFIG, positions, 1000, () -> 4000);
        positions.processed(0, 8);
        watch.checked(1100, ends(10));
        assertThat(watch.inSyncAtMillis()).as("the marker after offset 8 is at 9").isEqualTo(1100);
        watch.checked(1200, ends(14));
        assertThat(watch.inSyncAtMillis()).as("12 not applied yet").isEqualTo(1100);
        positions.processed(0, 12);
        watch.checked(1300, ends(18));
        assertThat(watch.inSyncAtMillis()).as("caught up with the check at 1200 since").isEqualTo(1200);
        assertThat(watch.whenOutOfSync()).isNotDone();
    }

    @Test
    void shouldSayOutOfSyncOnceAStuckReplicaFallsBehindLongerThanHalfTheRetention() {
        SyncWatch watch = new SyncWatch(CONFIG, positions, 1000, () -> 4000);
        positions.processed(0, 8);
        watch.checked(1000, ends(10));
        watch.checked(2000, ends(12));
        watch.checked(3000, ends(14));
        assertThat(watch.whenOutOfSync()).isNotDone();
        watch.checked(3100, ends(16));
        assertThat(watch.whenOutOfSync()).isCompletedWithValueMatching(why -> why.contains("for 2100 ms")
                && why.contains("delete.retention.ms (4000 ms)"));
    }

    @Test
    void shouldSayOutOfSyncWhenItCatchesUpOnlyAfterTooLongAGap() {
        SyncWatch watch = new SyncWatch(CONFIG, positions, 1000, () -> 4000);
        positions.processed(0, 20);
        watch.checked(3500, ends(22));
        assertThat(watch.whenOutOfSync()).as("in sync now, but last known in sync 2,500 ms before").isDone();
    }

    @Test
    void shouldDistrustAStateOfUnknownAgeButNotTheRestoreOfAFreshOne() {
        SyncWatch unknown = new SyncWatch(CONFIG, positions, 0, () -> 4000);
        unknown.caughtUp(5000, 5000);
        assertThat(unknown.whenOutOfSync()).isCompletedWithValueMatching(why -> why.contains("unknown age"));

        SyncWatch fresh = new SyncWatch(CONFIG, positions, -1, () -> 4000);
        positions.processed(0, 8);
        fresh.caughtUp(1000, 9000);
        fresh.checked(9100, ends(10));
        fresh.checked(9200, ends(10));
        assertThat(fresh.whenOutOfSync()).as("a slow restore from scratch is not rebuilt again").isNotDone();
        assertThat(fresh.inSyncAtMillis()).isEqualTo(9200);
    }

    /** Frozen right after it became ready, before any refresh: the gap counts from readiness. */
    @Test
    void shouldWatchAFreshRestoreFromTheMomentItIsReady() {
        SyncWatch fresh = new SyncWatch(CONFIG, positions, -1, () -> 4000);
        positions.processed(0, 8);
        fresh.caughtUp(1000, 9000);
        fresh.checked(11_500, ends(10));
        assertThat(fresh.whenOutOfSync()).isCompletedWithValueMatching(why -> why.contains("for 2500 ms"));
    }

    @Test
    void shouldNotWatchAWindowOfTooFewRefreshes() {
        SyncWatch watch = new SyncWatch(CONFIG, positions, 1000, () -> 1000);
        watch.checked(60_000, ends(10));
        assertThat(watch.whenOutOfSync()).isNotDone();
    }

    private static Map<TopicPartition, Long> ends(long partition0) {
        return Map.of(new TopicPartition("idx", 0), partition0);
    }
}
