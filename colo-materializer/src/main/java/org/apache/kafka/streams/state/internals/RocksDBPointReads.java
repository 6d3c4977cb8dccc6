package org.apache.kafka.streams.state.internals;

import org.apache.kafka.streams.processor.StateStore;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Point reads of a Kafka Streams RocksDB store without the store's monitor.
 *
 * <p>Why: Kafka Streams 4.3.1's {@code RocksDBStore.get} is {@code synchronized}, one monitor per
 * partition's store, although RocksDB's own get is safe from any thread. Under HTTP load a lookup
 * thread descheduled inside its native get held that monitor and stalled every other lookup of the
 * partition (profiled: thousands of monitor waits a second, the lookup tail). This reads the same
 * column family through the same handle. It lives in Kafka Streams' package because the handle is
 * package-private there; a Kafka Streams upgrade that moves it fails this module's compile, not a
 * colo at run time.
 *
 * <p>It does not guard against the store closing: its caller must make sure no read runs once the
 * store's {@code close()} has begun (a closed handle is freed native memory).
 */
public final class RocksDBPointReads {
    private final RocksDB db;
    private final ColumnFamilyHandle values;

    private RocksDBPointReads(RocksDB db, ColumnFamilyHandle values) {
        this.db = db;
        this.values = values;
    }

    /**
     * Reads of {@code store}, which must be open; null when it is not a RocksDB store that keeps its
     * values in one column family (a store upgraded from the plain format reads two): read it
     * through its own {@code get} then.
     */
    public static RocksDBPointReads of(StateStore store) {
        if (store instanceof RocksDBStore rocks && rocks.db != null
                && rocks.cfAccessor instanceof RocksDBStore.SingleColumnFamilyAccessor single) {
            return new RocksDBPointReads(rocks.db, single.columnFamily());
        }
        return null;
    }

    /** The stored bytes of {@code key}, or null. */
    public byte[] get(byte[] key) throws RocksDBException {
        return db.get(values, key);
    }
}
