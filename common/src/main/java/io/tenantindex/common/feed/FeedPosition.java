package io.tenantindex.common.feed;

import io.tenantindex.protocol.ConsistencyToken;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where one feed stands: per partition the offset of the last record it delivered (or skipped as
 * a transaction marker), -1 for nothing yet. Its token is a v2 session token naming every
 * partition that has a position, so a lookup with it waits for exactly what the feed showed.
 * Not thread-safe: a feed's position is touched only under that feed's lock.
 */
final class FeedPosition {
    private final String topic;
    private final long[] offsets;

    private FeedPosition(String topic, long[] offsets) {
        this.topic = topic;
        this.offsets = offsets;
    }

    static FeedPosition of(String topic, int partitions, Map<Integer, Long> offsets) {
        long[] o = new long[partitions];
        Arrays.fill(o, -1);
        offsets.forEach((p, offset) -> {
            if (p < partitions) {
                o[p] = Math.max(o[p], offset);
            }
        });
        return new FeedPosition(topic, o);
    }

    static FeedPosition of(String topic, long[] offsets) {
        return new FeedPosition(topic, offsets.clone());
    }

    /** A {@code since} or {@code Last-Event-ID}: INVALID_TOKEN (400) unless it is a token of this topic and partition count. */
    static FeedPosition decode(String token, String topic, int partitions) {
        return of(topic, partitions, ConsistencyToken.decode(token, topic, partitions).offsets());
    }

    FeedPosition copy() {
        return new FeedPosition(topic, offsets.clone());
    }

    int partitions() {
        return offsets.length;
    }

    long offset(int partition) {
        return offsets[partition];
    }

    /** Whether the record at {@code offset} of {@code partition} is after this position (not delivered yet). */
    boolean before(int partition, long offset) {
        return offsets[partition] < offset;
    }

    void advance(int partition, long offset) {
        offsets[partition] = Math.max(offsets[partition], offset);
    }

    /** The token of this position; null while no partition has one (an index that never had a record). */
    String token() {
        TreeMap<Integer, Long> named = new TreeMap<>();
        for (int p = 0; p < offsets.length; p++) {
            if (offsets[p] >= 0) {
                named.put(p, offsets[p]);
            }
        }
        return named.isEmpty() ? null : new ConsistencyToken(topic, offsets.length, named).encode();
    }
}
