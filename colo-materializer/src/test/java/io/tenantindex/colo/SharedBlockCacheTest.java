package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.config.ConfigKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** Real RocksDB stores configured as Kafka Streams configures a colo's: their blocks land in one cache. */
class SharedBlockCacheTest {
    private static final int KEYS = 4_000;
    private static final int VALUE_BYTES = 1_000;

    @TempDir
    Path dir;

    @Test
    void shouldCacheTheBlocksOfEveryStoreOfTheJvmInOneCache() throws Exception {
        RocksDB.loadLibrary(); // in a colo, the Options Kafka Streams passes in have loaded it
        Map<String, Object> configs = Map.of(ConfigKeys.COLO_ROCKSDB_BLOCK_CACHE_BYTES, Long.toString(64L << 20));
        Cache cache = SharedBlockCache.cacheOf(64L << 20);
        long before = cache.getUsage();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            for (String store : List.of("partition-0", "partition-1")) {
                // As Kafka Streams does: its own table config first, then the config setter.
                Options options = new Options().setCreateIfMissing(true).setTableFormatConfig(new BlockBasedTableConfig());
                new SharedBlockCache().setConfig(store, options, configs);
                RocksDB db = RocksDB.open(options, dir.resolve(store).toString());
                opened.add(options);
                opened.add(db);
                fillAndReadBack(db);
            }
            long cachedBytes = cache.getUsage() - before;
            // Each store's blocks are about KEYS * VALUE_BYTES: more than one store's worth came from both.
            assertThat(cachedBytes).isGreaterThan((long) (1.5 * KEYS * VALUE_BYTES));
            assertThat(SharedBlockCache.cacheOf(1L << 20)).as("the first size stays the JVM's").isSameAs(cache);
        } finally {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).close();
            }
        }
    }

    /** Writes the keys, flushes them to a table file, and reads every one back (through the block cache). */
    private static void fillAndReadBack(RocksDB db) throws Exception {
        byte[] value = new byte[VALUE_BYTES];
        for (int k = 0; k < KEYS; k++) {
            Arrays.fill(value, (byte) k);
            db.put(key(k), value);
        }
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush);
        }
        for (int k = 0; k < KEYS; k++) {
            assertThat(db.get(key(k))).hasSize(VALUE_BYTES);
        }
    }

    private static byte[] key(int k) {
        return String.format("tn-%08d", k).getBytes();
    }
}
