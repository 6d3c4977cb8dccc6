package io.tenantindex.common.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeRingTest {
    private static final String TOPIC = "tenant-index";

    private static Change upsert(int partition, long offset) {
        return new Change(partition, offset, "t" + partition + "-" + offset, 1, () -> null);
    }

    private static FeedPosition at(long p0, long p1) {
        return FeedPosition.of(TOPIC, new long[] {p0, p1});
    }

    @Test
    void shouldKeepEachOffsetOnceAndServeWhatFollowsAPosition() {
        ChangeRing ring = new ChangeRing(2, 10);
        ring.served(0, -1);
        ring.served(1, 4);
        ring.append(upsert(0, 0));
        ring.append(upsert(1, 5));
        // Reprocessed after a rollback, or applied again by a rebuild's generation: kept once.
        ring.append(upsert(0, 0));
        ring.append(upsert(1, 3));
        ring.append(upsert(0, 2));

        ChangeRing.Batch all = ring.read(0, at(-1, 4), 100);
        assertThat(all.changes()).extracting(Change::offset).containsExactly(0L, 5L, 2L);
        ChangeRing.Batch after = ring.read(0, at(0, 5), 100);
        assertThat(after.changes()).extracting(Change::offset).containsExactly(2L);
        assertThat(ring.read(all.cursor(), at(2, 5), 100).changes()).isEmpty();
        // Partition 1 is only held after offset 4: an older position must be read from the topic.
        assertThat(ring.read(0, at(-1, 3), 100)).isNull();
    }

    @Test
    void shouldStopCoveringWhatItEvictedAndWhatARestoreSkipped() {
        ChangeRing ring = new ChangeRing(2, 2);
        ring.served(0, -1);
        ring.served(1, -1);
        ring.append(upsert(0, 0));
        ring.append(upsert(0, 2));
        ring.append(upsert(0, 4));
        assertThat(ring.read(0, at(-1, -1), 100)).as("offset 0 was evicted").isNull();
        assertThat(ring.read(0, at(0, -1), 100).changes()).extracting(Change::offset).containsExactly(2L, 4L);

        // Partition 1 restored up to 9 without passing the ring: positions before 9 are not covered.
        ring.served(1, 9);
        assertThat(ring.read(0, at(0, 3), 100)).isNull();
        assertThat(ring.read(0, at(0, 9), 100)).isNotNull();
        assertThat(ring.coverage()).containsExactly(0, 9);
        assertThat(ring.mark().offsets()).containsExactly(4, 9);
    }

    @Test
    void shouldNameOnlyPartitionsWithAPositionInItsToken() {
        FeedPosition p = FeedPosition.of(TOPIC, 3, Map.of(1, 7L));
        assertThat(p.token()).isNotNull();
        assertThat(FeedPosition.decode(p.token(), TOPIC, 3).offset(1)).isEqualTo(7);
        assertThat(FeedPosition.decode(p.token(), TOPIC, 3).offset(0)).isEqualTo(-1);
        assertThat(FeedPosition.of(TOPIC, 3, Map.of()).token()).isNull();
    }
}
