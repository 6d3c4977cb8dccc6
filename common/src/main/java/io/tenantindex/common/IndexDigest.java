package io.tenantindex.common;

import io.tenantindex.common.api.DigestReport;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * An order-independent content hash of an index partition: the sum (mod 2^64) of a 64-bit hash of
 * each live {@code (tenantId, version)}. Order independence lets the writer and every colo compute
 * it incrementally as records arrive, and compare results for the same partition position.
 */
public final class IndexDigest {
    private final long[] sums;
    private final long[] counts;

    public IndexDigest(int partitions) {
        this.sums = new long[partitions];
        this.counts = new long[partitions];
    }

    /** 64-bit FNV-1a over tenantId, a separator and the version: cheap, stable across JVMs. */
    public static long entryHash(String tenantId, long version) {
        long h = 0xcbf29ce484222325L;
        for (byte b : tenantId.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h = (h ^ 0xff) * 0x100000001b3L;
        for (int i = 0; i < 8; i++) {
            h = (h ^ ((version >>> (8 * i)) & 0xff)) * 0x100000001b3L;
        }
        // Final avalanche (murmur3 fmix64) so that sums of nearby inputs do not cancel out.
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    public void add(int partition, String tenantId, long version) {
        sums[partition] += entryHash(tenantId, version);
        counts[partition]++;
    }

    public void remove(int partition, String tenantId, long version) {
        sums[partition] -= entryHash(tenantId, version);
        counts[partition]--;
    }

    /** Replaces {@code previousVersion} (0 = absent) by {@code version} (0 = deleted). */
    public void replace(int partition, String tenantId, long previousVersion, long version) {
        if (previousVersion > 0) {
            remove(partition, tenantId, previousVersion);
        }
        if (version > 0) {
            add(partition, tenantId, version);
        }
    }

    public int partitions() {
        return sums.length;
    }

    public String partitionHash(int partition) {
        return HexFormat.of().toHexDigits(sums[partition]);
    }

    public long partitionEntries(int partition) {
        return counts[partition];
    }

    /** The whole index: the partition sums summed, with their count. */
    public String totalHash() {
        return HexFormat.of().toHexDigits(Arrays.stream(sums).sum());
    }

    public long totalEntries() {
        return Arrays.stream(counts).sum();
    }

    /** Every partition's hash and count, for the /digest endpoints. */
    public Map<Integer, DigestReport.Partition> perPartition() {
        Map<Integer, DigestReport.Partition> out = new TreeMap<>();
        for (int p = 0; p < sums.length; p++) {
            out.put(p, new DigestReport.Partition(partitionHash(p), counts[p]));
        }
        return out;
    }
}
