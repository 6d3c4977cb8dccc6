package io.tenantindex.bench;

import io.tenantindex.colo.ColoTopology;
import io.tenantindex.colo.IndexRecord;
import io.tenantindex.colo.IndexRecordSerde;
import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Deserializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The floor under {@link LookupBenchmark}, to explain its figures by measurement: the same RocksDB
 * files the colo served, opened read-only with plain RocksDB JNI (no Kafka Streams), and
 *
 * <ul>
 *   <li>{@link #rawGet}: one JNI {@code get} of a random tenant's key in its partition's store
 *       (50 MB LRU block cache and bloom filters per store, Kafka Streams' defaults, which give
 *       each store more cache than the colo's stores share in all);</li>
 *   <li>{@link #decode}: the Confluent-framed Avro decode of a stored value alone
 *       ({@link IndexRecordSerde}, the colo's deserializer), over values read up front.</li>
 * </ul>
 * Same system properties as {@link LookupBenchmark}; the colo's processes are stopped by then.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StoreFloorBenchmark {
    private static final String TIMESTAMPED_FAMILY = "keyValueWithTimestamp";
    private static final int DECODE_SAMPLES = 100_000;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private RocksDB[] stores;
    private ColumnFamilyHandle[] families;
    private int valueOffset;
    private byte[][] keys;
    private byte[][] values;
    private Deserializer<IndexRecord> deserializer;

    @Setup(Level.Trial)
    public void open() throws Exception {
        RocksDB.loadLibrary();
        Path appDir = activeGeneration(Path.of(System.getProperty("bench.stateDir")), System.getProperty("bench.colo"));
        List<Path> partitions;
        try (Stream<Path> tasks = Files.list(appDir)) {
            partitions = tasks.filter(p -> p.getFileName().toString().matches("0_\\d+"))
                    .sorted((a, b) -> Integer.compare(partitionOf(a), partitionOf(b))).toList();
        }
        stores = new RocksDB[partitions.size()];
        families = new ColumnFamilyHandle[partitions.size()];
        for (Path task : partitions) {
            openReadOnly(partitionOf(task), task.resolve("rocksdb").resolve(ColoTopology.STORE));
        }
        int n = Integer.getInteger("bench.tenants");
        keys = new byte[n][];
        for (int i = 0; i < n; i++) {
            keys[i] = Tenants.id(i).getBytes(StandardCharsets.UTF_8);
        }
        values = new byte[Math.min(n, DECODE_SAMPLES)][];
        for (int i = 0; i < values.length; i++) {
            byte[] stored = get(i);
            if (stored == null) {
                throw new IllegalStateException("tenant " + Tenants.id(i) + " is not in the store files under " + appDir);
            }
            values[i] = Arrays.copyOfRange(stored, valueOffset, stored.length);
        }
        deserializer = new IndexRecordSerde(new HttpSchemaRegistryClient(System.getProperty("bench.registry"))).deserializer();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Benchmark
    public byte[] rawGet() throws RocksDBException {
        return get(ThreadLocalRandom.current().nextInt(keys.length));
    }

    @Benchmark
    public IndexRecord decode() {
        return deserializer.deserialize("tenant-index", values[ThreadLocalRandom.current().nextInt(values.length)]);
    }

    private byte[] get(int tenant) throws RocksDBException {
        int p = IndexPartitioner.partitionFor(Tenants.id(tenant), stores.length);
        return stores[p].get(families[p], keys[tenant]);
    }

    private void openReadOnly(int partition, Path dir) throws RocksDBException {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(track(new LRUCache(50L * 1024 * 1024)))
                .setFilterPolicy(track(new BloomFilter()));
        ColumnFamilyOptions cfOptions = track(new ColumnFamilyOptions().setTableFormatConfig(table));
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        try (Options options = new Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(options, dir.toString())) {
                descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
            }
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        stores[partition] = track(RocksDB.openReadOnly(track(new DBOptions()), dir.toString(), descriptors, handles));
        handles.forEach(this::track);
        for (int i = 0; i < descriptors.size(); i++) {
            String name = new String(descriptors.get(i).getName(), StandardCharsets.UTF_8);
            // Kafka Streams' timestamped store keeps values as an 8-byte timestamp + the value.
            if (name.equals(TIMESTAMPED_FAMILY)) {
                families[partition] = handles.get(i);
                valueOffset = Long.BYTES;
            }
        }
        if (families[partition] == null) {
            families[partition] = handles.get(0);
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private static int partitionOf(Path task) {
        return Integer.parseInt(task.getFileName().toString().substring(2));
    }

    /** The one Streams state directory of this colo that a rebuild left in place (older ones are deleted). */
    private static Path activeGeneration(Path stateDir, String colo) throws IOException {
        try (Stream<Path> dirs = Files.list(stateDir)) {
            List<Path> ours = dirs.filter(Files::isDirectory)
                    .filter(d -> d.getFileName().toString().matches("tenant-index-colo-" + colo + "-.+")).toList();
            if (ours.size() != 1) {
                throw new IllegalStateException("expected one state directory of colo " + colo + " in " + stateDir + ", found " + ours);
            }
            return ours.get(0);
        }
    }
}
