package io.tenantindex.sink;

import io.tenantindex.common.config.ConfigKeys;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Caps the off-heap memory of every RocksDB instance in this JVM at one budget
 * ({@link SinkConfig#ROCKSDB_MEMORY_BYTES}). Window stores open one RocksDB per segment per
 * partition, so without this the native memory would grow with partitions and retention. Block
 * cache, index/filter blocks and memtables are all charged to one shared LRU cache (the pattern of
 * the Kafka Streams memory-management docs). The budget is fixed by the first store opened in the
 * JVM; later sinks in the same JVM share it.
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {
    private static final double INDEX_FILTER_SHARE = 0.1;
    private static final long BLOCK_SIZE = 16 * 1024;
    private static final int MEMTABLES = 3;

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;
    private static long memtableBudget;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object configured = configs.get(ConfigKeys.SINK_ROCKSDB_MEMORY_BYTES);
        long total = configured == null ? 64L << 20 : Long.parseLong(configured.toString());
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        synchronized (BoundedRocksDbConfig.class) {
            if (cache == null) {
                cache = new LRUCache(total, -1, false, INDEX_FILTER_SHARE);
                // Memtables take at most a quarter of the budget and are charged to the same cache.
                memtableBudget = total / 4;
                writeBufferManager = new WriteBufferManager(memtableBudget, cache);
            }
            table.setBlockCache(cache);
            options.setWriteBufferManager(writeBufferManager);
            options.setWriteBufferSize(Math.max(1L << 20, memtableBudget / MEMTABLES));
        }
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        table.setBlockSize(BLOCK_SIZE);
        options.setMaxWriteBufferNumber(MEMTABLES);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store of the JVM: never closed here.
    }
}
