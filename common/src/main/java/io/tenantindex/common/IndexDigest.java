package io.tenantindex.common;

import io.tenantindex.common.api.DigestReport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * An order-independent content hash of an index partition: per 64-bit lane, the sum (mod 2^64) of
 * a 128-bit hash of each live entry, with the number of entries. Order independence lets the writer
 * and every colo keep it incrementally as records are applied (remove the old entry's hash, add the
 * new one's) and compare results for the same partition position.
 *
 * <p>An entry's hash is the first 128 bits of SHA-256 over the tenant id (length-prefixed UTF-8)
 * and the value's Avro body: the record value as it is on the topic <em>without</em> its five-byte
 * Confluent prefix (magic byte and schema id). The schema id is a number the registry hands out,
 * not content: two writers, or one registry migrated to another, can frame the very same bytes
 * under different ids. The body itself is what the writer's schema encoded, byte for byte, so two
 * sides hashing the same topic records hash the same bytes, and the same version with different
 * content hashes differently. A value that is not Confluent-framed is hashed whole.
 */
public final class IndexDigest {
    /** The five-byte Confluent prefix: magic byte 0x00 and the schema id. */
    private static final int WIRE_PREFIX = 5;
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(IndexDigest::sha256);

    private final long[] high;
    private final long[] low;
    private final long[] counts;

    /** One entry's 128-bit hash. */
    public record EntryHash(long high, long low) {
    }

    public IndexDigest(int partitions) {
        this.high = new long[partitions];
        this.low = new long[partitions];
        this.counts = new long[partitions];
    }

    /** The hash of a live entry: its tenant id and its value as it is on the topic. */
    public static EntryHash entryHash(String tenantId, byte[] encodedValue) {
        return entryHash(tenantId.getBytes(StandardCharsets.UTF_8), encodedValue, 0);
    }

    /** Like {@link #entryHash(String, byte[])}, for a key already in UTF-8 and a value starting at {@code from}. */
    public static EntryHash entryHash(byte[] tenantIdUtf8, byte[] value, int from) {
        MessageDigest sha = SHA_256.get();
        sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(tenantIdUtf8.length).array());
        sha.update(tenantIdUtf8);
        boolean framed = value.length - from >= WIRE_PREFIX && value[from] == 0;
        int body = framed ? from + WIRE_PREFIX : from;
        sha.update(value, body, value.length - body);
        ByteBuffer out = ByteBuffer.wrap(sha.digest());
        return new EntryHash(out.getLong(), out.getLong());
    }

    public void add(int partition, EntryHash entry) {
        high[partition] += entry.high();
        low[partition] += entry.low();
        counts[partition]++;
    }

    public void remove(int partition, EntryHash entry) {
        high[partition] -= entry.high();
        low[partition] -= entry.low();
        counts[partition]--;
    }

    /** Replaces the entry {@code before} (null = absent) by {@code after} (null = deleted). */
    public void replace(int partition, EntryHash before, EntryHash after) {
        if (before != null) {
            remove(partition, before);
        }
        if (after != null) {
            add(partition, after);
        }
    }

    /** Adds everything {@code other} holds for its partition {@code from} to {@code partition}. */
    public void merge(int partition, IndexDigest other, int from) {
        high[partition] += other.high[from];
        low[partition] += other.low[from];
        counts[partition] += other.counts[from];
    }

    /** Forgets everything held for {@code partition}. */
    public void clear(int partition) {
        high[partition] = 0;
        low[partition] = 0;
        counts[partition] = 0;
    }

    public int partitions() {
        return counts.length;
    }

    /** 32 hex digits. */
    public String partitionHash(int partition) {
        return hex(high[partition], low[partition]);
    }

    public long partitionEntries(int partition) {
        return counts[partition];
    }

    /** The whole index: the partition sums summed, lane by lane. */
    public String totalHash() {
        long h = 0;
        long l = 0;
        for (int p = 0; p < counts.length; p++) {
            h += high[p];
            l += low[p];
        }
        return hex(h, l);
    }

    public long totalEntries() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    /** Every partition's hash and count, for the /digest endpoints. */
    public Map<Integer, DigestReport.Partition> perPartition() {
        Map<Integer, DigestReport.Partition> out = new TreeMap<>();
        for (int p = 0; p < counts.length; p++) {
            out.put(p, new DigestReport.Partition(partitionHash(p), counts[p]));
        }
        return out;
    }

    private static String hex(long h, long l) {
        return HexFormat.of().toHexDigits(h) + HexFormat.of().toHexDigits(l);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
