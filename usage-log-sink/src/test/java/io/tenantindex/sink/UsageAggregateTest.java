package io.tenantindex.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.schemas.LookupOutcome;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class UsageAggregateTest {

    @Test
    void shouldPutEveryLatencyIntoABucketAtMostAQuarterWide() {
        for (long v = 0; v < 5_000_000; v += 1 + v / 64) {
            int i = LatencyBuckets.indexOf(v);
            assertThat(v).isBetween(LatencyBuckets.lowerBound(i), LatencyBuckets.upperBound(i));
            assertThat(LatencyBuckets.upperBound(i)).isLessThanOrEqualTo(Math.max(3, LatencyBuckets.lowerBound(i) * 5 / 4));
        }
        assertThat(LatencyBuckets.indexOf(-5)).isZero();
        assertThat(LatencyBuckets.indexOf(Long.MAX_VALUE)).isEqualTo(LatencyBuckets.COUNT - 1);
        for (int i = 0; i + 1 < LatencyBuckets.COUNT; i++) {
            assertThat(LatencyBuckets.lowerBound(i + 1)).isEqualTo(LatencyBuckets.upperBound(i) + 1);
        }
    }

    @Test
    void shouldRoundTripThroughTheStoreFormatAndMergeBucketWise() {
        UsageAggregate a = UsageAggregate.EMPTY.plus(LookupOutcome.hit, 10).plus(LookupOutcome.miss, 5_000)
                .plus(LookupOutcome.error, 10);
        UsageAggregate b = UsageAggregate.EMPTY.plus(LookupOutcome.not_ready, 70).plus(LookupOutcome.hit, 10);

        UsageAggregate read = UsageAggregateSerde.deserialize(UsageAggregateSerde.serialize(a));
        assertThat(read.count()).isEqualTo(3);
        assertThat(read.hits()).isEqualTo(1);
        assertThat(read.misses()).isEqualTo(1);
        assertThat(read.errors()).isEqualTo(1);
        assertThat(read.latencySumMicros()).isEqualTo(5_020);
        assertThat(read.latencyMaxMicros()).isEqualTo(5_000);
        assertThat(read.buckets()).containsExactly(a.buckets());
        assertThat(read.bucketCounts()).containsExactly(a.bucketCounts());

        UsageAggregate merged = a.merge(b);
        assertThat(merged.count()).isEqualTo(5);
        assertThat(merged.notReady()).isEqualTo(1);
        assertThat(Arrays.stream(merged.bucketCounts()).sum()).isEqualTo(5);
        assertThat(merged.buckets()).isSorted().doesNotHaveDuplicates();
        assertThat(merged.bucketCounts()[0]).isEqualTo(3);
    }

    @Test
    void shouldRejectTruncatedOrForeignBytes() {
        byte[] bytes = UsageAggregateSerde.serialize(UsageAggregate.EMPTY.plus(LookupOutcome.hit, 1));
        assertThatThrownBy(() -> UsageAggregateSerde.deserialize(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(SerializationException.class);
        bytes[0] = 9;
        assertThatThrownBy(() -> UsageAggregateSerde.deserialize(bytes)).isInstanceOf(SerializationException.class);
    }
}
