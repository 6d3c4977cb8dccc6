package io.tenantindex.colo;

import java.lang.reflect.Field;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.internals.RocksDBStore;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Point reads of a Kafka Streams RocksDB store without the store's monitor.
 *
 * <p>Why: Kafka Streams 4.3.1's {@code RocksDBStore.get} is {@code synchronized}, one monitor per
 * partition's store, although RocksDB's own get is safe from any thread. Under HTTP load a lookup
 * thread descheduled inside its native get held that monitor and stalled every other lookup of the
 * partition (profiled: thousands of monitor waits a second, the lookup tail). This reads the same
 * column family through the same handle, which Kafka Streams keeps in package-private fields: they
 * are looked up once, by reflection, and where a Kafka Streams release has changed them every
 * store is read through its own get again (logged once; {@code DigestingStoreTest} fails then).
 *
 * <p>It does not guard against the store closing: its caller must make sure no read runs once the
 * store's {@code close()} has begun (a closed handle is freed native memory).
 */
final class RocksDBPointReads {
    private static final Logger LOG = LoggerFactory.getLogger(RocksDBPointReads.class);
    /** The accessor of a store that keeps its values in one column family. */
    private static final String SINGLE_COLUMN_FAMILY = RocksDBStore.class.getName() + "$SingleColumnFamilyAccessor";
    private static final Field DB;
    private static final Field ACCESSOR;
    private static final Field COLUMN_FAMILY;

    static {
        Field db = null;
        Field accessor = null;
        Field columnFamily = null;
        try {
            db = accessible(RocksDBStore.class.getDeclaredField("db"));
            accessor = accessible(RocksDBStore.class.getDeclaredField("cfAccessor"));
            columnFamily = accessible(Class.forName(SINGLE_COLUMN_FAMILY).getDeclaredField("columnFamily"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Kafka Streams' RocksDB store has no handle this version can read: lookups read through its synchronized get ({})",
                    e.toString());
        }
        DB = db;
        ACCESSOR = accessor;
        COLUMN_FAMILY = columnFamily;
    }

    private final RocksDB db;
    private final ColumnFamilyHandle values;

    private RocksDBPointReads(RocksDB db, ColumnFamilyHandle values) {
        this.db = db;
        this.values = values;
    }

    private static Field accessible(Field field) {
        field.setAccessible(true);
        return field;
    }

    /**
     * Reads of {@code store}, which must be open; null when it is not a RocksDB store that keeps its
     * values in one column family (a store upgraded from the plain format reads two), or when this
     * Kafka Streams release keeps its handle elsewhere: read it through its own {@code get} then.
     */
    static RocksDBPointReads of(StateStore store) {
        if (COLUMN_FAMILY == null || !(store instanceof RocksDBStore)) {
            return null;
        }
        try {
            Object db = DB.get(store);
            Object accessor = ACCESSOR.get(store);
            if (!(db instanceof RocksDB rocks) || accessor == null || !accessor.getClass().getName().equals(SINGLE_COLUMN_FAMILY)) {
                return null;
            }
            return new RocksDBPointReads(rocks, (ColumnFamilyHandle) COLUMN_FAMILY.get(accessor));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("an accessible field could not be read", e);
        }
    }

    /** The stored bytes of {@code key}, or null. */
    byte[] get(byte[] key) throws RocksDBException {
        return db.get(values, key);
    }
}
