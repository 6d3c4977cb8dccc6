package io.tenantindex.sink;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The window stores' (and their changelogs') value format: a version byte, the six counters, then
 * the non-empty histogram buckets as (index, count) pairs. Fixed-width and versioned so a later
 * release can still read the RocksDB state and changelogs this one wrote.
 */
public final class UsageAggregateSerde implements Serde<UsageAggregate> {
    private static final byte VERSION = 1;
    private static final int HEADER_BYTES = 1 + 6 * Long.BYTES + Short.BYTES;
    private static final int BUCKET_BYTES = Short.BYTES + Long.BYTES;

    @Override
    public Serializer<UsageAggregate> serializer() {
        return (topic, agg) -> agg == null ? null : serialize(agg);
    }

    @Override
    public Deserializer<UsageAggregate> deserializer() {
        return (topic, bytes) -> bytes == null ? null : deserialize(bytes);
    }

    static byte[] serialize(UsageAggregate agg) {
        int[] buckets = agg.buckets();
        long[] counts = agg.bucketCounts();
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + buckets.length * BUCKET_BYTES);
        out.put(VERSION)
                .putLong(agg.hits()).putLong(agg.misses()).putLong(agg.notReady()).putLong(agg.errors())
                .putLong(agg.latencySumMicros()).putLong(agg.latencyMaxMicros())
                .putShort((short) buckets.length);
        for (int i = 0; i < buckets.length; i++) {
            out.putShort((short) buckets[i]).putLong(counts[i]);
        }
        return out.array();
    }

    static UsageAggregate deserialize(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            byte version = in.get();
            if (version != VERSION) {
                throw new SerializationException("unknown usage aggregate format version " + version);
            }
            long hits = in.getLong();
            long misses = in.getLong();
            long notReady = in.getLong();
            long errors = in.getLong();
            long sum = in.getLong();
            long max = in.getLong();
            int n = in.getShort();
            if (n < 0 || n > LatencyBuckets.COUNT || in.remaining() != n * BUCKET_BYTES) {
                throw new SerializationException("corrupt usage aggregate: " + n + " buckets in " + bytes.length + " bytes");
            }
            int[] buckets = new int[n];
            long[] counts = new long[n];
            for (int i = 0; i < n; i++) {
                buckets[i] = in.getShort();
                counts[i] = in.getLong();
            }
            return new UsageAggregate(hits, misses, notReady, errors, sum, max, buckets, counts);
        } catch (BufferUnderflowException e) {
            throw new SerializationException("truncated usage aggregate of " + bytes.length + " bytes", e);
        }
    }
}
