package io.tenantindex.colo;

import io.tenantindex.common.config.ConfigKeys;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;

/**
 * One RocksDB block cache for every colo store of this JVM ({@link ConfigKeys#COLO_ROCKSDB_BLOCK_CACHE_BYTES}),
 * in place of Kafka Streams' 50 MB cache per store. A colo has a store per partition (six by
 * default, twelve while a rebuilt generation restores beside the serving one), and the answer
 * cache's warming scans every one of them end to end, which can fill each store's own cache with
 * blocks no lookup reads again: lookups read RocksDB only on an answer-cache miss. The size is fixed
 * by the first store opened in the JVM; the colos of a one-JVM stack share it. Memtables and the
 * rest of Kafka Streams' defaults stay as they are (restores and rebuilds write through them).
 */
public final class SharedBlockCache implements RocksDBConfigSetter {
    private static Cache cache;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cacheOf(Long.parseLong(configs.get(ConfigKeys.COLO_ROCKSDB_BLOCK_CACHE_BYTES).toString())));
        options.setTableFormatConfig(table);
    }

    /** The JVM's cache, made at {@code bytes} by its first caller. */
    static synchronized Cache cacheOf(long bytes) {
        if (cache == null) {
            cache = new LRUCache(bytes);
        }
        return cache;
    }

    @Override
    public void close(String storeName, Options options) {
        // Shared by every colo store of the JVM: never closed with one of them.
    }
}
