package io.tenantindex.colo;

import io.tenantindex.common.IndexDigest;
import io.tenantindex.common.IndexDigest.EntryHash;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.StampedLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.rocksdb.RocksDBException;

/**
 * The colo's RocksDB store with every write reported to {@link ContentDigests}: the hash of the
 * entry a put replaces and of the one it writes, over the key and the value's topic bytes (the
 * store keeps them exactly, behind an 8-byte timestamp). It sits innermost, under Kafka Streams' own
 * layers, so it sees bytes. Restores write to RocksDB below it ({@link ContentDigests} says how their
 * entries are counted).
 *
 * <p>Gets read RocksDB through {@link RocksDBPointReads}, not Kafka Streams' synchronized get, so
 * concurrent lookups of a partition do not queue behind one another; a read lock held across each
 * get keeps {@link #close()} from freeing the handle under it.
 *
 * <p>A put needs the entry it replaces. The table's source processor has just read that key on the
 * same thread (for its old value), so the last read of the thread that writes is kept and a put of
 * that key takes it instead of reading RocksDB a second time. Only that thread writes, and every write
 * forgets the read, so the kept bytes are what the store holds; reads on other threads (lookups) are
 * never kept.
 */
final class DigestingStore implements KeyValueStore<Bytes, byte[]>, TimestampedBytesStore {
    /** RocksDB's timestamped format: the record timestamp, then the value. */
    private static final int TIMESTAMP_BYTES = Long.BYTES;

    private final KeyValueStore<Bytes, byte[]> inner;
    private final ContentDigests digests;
    private int partition = -1;
    /** The thread that last wrote: the task's stream thread. */
    private volatile Thread writer;
    /** The writer's last read since its last write; null when there is none. Written and read by the writer only. */
    private LastRead lastRead;
    /** Read-locked by every get, write-locked to change {@link #pointReads}. */
    private final StampedLock pointReadsLock = new StampedLock();
    /** Reads of the open store; null while it is closed, or when it cannot be read that way. */
    private RocksDBPointReads pointReads;

    private record LastRead(Bytes key, byte[] value) {
    }

    DigestingStore(KeyValueStore<Bytes, byte[]> inner, ContentDigests digests) {
        this.inner = inner;
        this.digests = digests;
    }

    /** A supplier of the same timestamped RocksDB store Kafka Streams would build by default, digesting. */
    static KeyValueBytesStoreSupplier supplier(String name, ContentDigests digests) {
        KeyValueBytesStoreSupplier rocks = Stores.persistentTimestampedKeyValueStore(name);
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return rocks.name();
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new DigestingStore(rocks.get(), digests);
            }

            @Override
            public String metricsScope() {
                return rocks.metricsScope();
            }
        };
    }

    /**
     * The store as it is now, to hash on another thread while the task goes on writing: a RocksDB
     * iterator reads the point-in-time snapshot taken when it was opened. The task's thread opens it.
     */
    Snapshot snapshot() {
        return new Snapshot(inner.all());
    }

    /** Every entry of the store when {@link #snapshot()} was taken; closing it releases the snapshot. */
    static final class Snapshot implements AutoCloseable {
        private final KeyValueIterator<Bytes, byte[]> entries;

        private Snapshot(KeyValueIterator<Bytes, byte[]> entries) {
            this.entries = entries;
        }

        /**
         * Calls {@code action} with the hash of each entry until there are no more or {@code stop}
         * says so; throws {@code InvalidStateStoreException} if the store closes meanwhile.
         */
        void forEachEntry(Consumer<EntryHash> action, BooleanSupplier stop) {
            while (!stop.getAsBoolean() && entries.hasNext()) {
                KeyValue<Bytes, byte[]> kv = entries.next();
                EntryHash hash = hash(kv.key, kv.value);
                if (hash != null) {
                    action.accept(hash);
                }
            }
        }

        @Override
        public void close() {
            entries.close();
        }
    }

    private static EntryHash hash(Bytes key, byte[] timestamped) {
        return timestamped == null ? null : IndexDigest.entryHash(key.get(), timestamped, TIMESTAMP_BYTES);
    }

    private void staged(Bytes key, byte[] before, byte[] after) {
        digests.staged(partition, hash(key, before), hash(key, after));
    }

    /** What the store holds for {@code key}: the writer's last read of it, or RocksDB. Forgets the last read (a write follows). */
    private byte[] current(Bytes key) {
        LastRead read = writing();
        return read != null && read.key.equals(key) ? read.value : stored(key);
    }

    /** Marks the calling thread as the writer and forgets its last read; returns that read. */
    private LastRead writing() {
        Thread self = Thread.currentThread();
        LastRead read = writer == self ? lastRead : null;
        writer = self;
        lastRead = null;
        return read;
    }

    @Override
    public void put(Bytes key, byte[] value) {
        byte[] before = current(key);
        inner.put(key, value);
        staged(key, before, value);
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        writing();
        byte[] before = inner.putIfAbsent(key, value);
        if (before == null) {
            staged(key, null, value);
        }
        return before;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public byte[] delete(Bytes key) {
        writing();
        byte[] before = inner.delete(key);
        staged(key, before, null);
        return before;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        partition = context.taskId().partition();
        inner.init(context, root);
        setPointReads(RocksDBPointReads.of(inner));
        digests.opened(partition, this);
    }

    @Override
    public void close() {
        // A revived task reopens this store after a restore wrote below it: a kept read would be stale.
        writer = null;
        lastRead = null;
        digests.closed(partition, this);
        setPointReads(null);
        inner.close();
    }

    /** Waits for the gets under way, so that none uses the reads it replaces. */
    private void setPointReads(RocksDBPointReads reads) {
        long stamp = pointReadsLock.writeLock();
        pointReads = reads;
        pointReadsLock.unlockWrite(stamp);
    }

    @Override
    public byte[] get(Bytes key) {
        byte[] value = stored(key);
        if (writer == Thread.currentThread()) {
            lastRead = new LastRead(key, value);
        }
        return value;
    }

    private byte[] stored(Bytes key) {
        long stamp = pointReadsLock.readLock();
        try {
            // Closed: the inner store's get says so (InvalidStateStoreException).
            return pointReads == null ? inner.get(key) : pointReads.get(key.get());
        } catch (RocksDBException e) {
            throw new ProcessorStateException("Error while getting value for key from store " + name(), e);
        } finally {
            pointReadsLock.unlockRead(stamp);
        }
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return inner.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return inner.all();
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return inner.reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
        return inner.prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        inner.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return inner.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }
}
