package io.tenantindex.bench;

import io.tenantindex.colo.MaterializerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tenantindex.colo.RebuildableReplica;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.feed.ChangeRing;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The colo's lookup path in process, over the real store: a {@link RebuildableReplica} (Kafka
 * Streams, RocksDB; what a colo's routes call) opened on the state directory a colo process of this
 * bench left behind, i.e. the very RocksDB store that colo served, warm-restarted and caught up with
 * the topic before measuring.
 *
 * <ul>
 *   <li>{@link #lookup}: {@code IndexReplica#lookup} = a get on the tenant's partition's store
 *       (interactive query, RocksDB) + Avro decode of the Confluent-framed value.</li>
 *   <li>{@link #lookupAndBody}: {@code IndexReplica#lookupEncoded}, the JSON bytes {@code GET /tenants/{id}}
 *       sends (from the colo's answer cache, or the lookup above + JSON encoding) — that route minus HTTP and
 *       usage emission.</li>
 * </ul>
 * Random tenant per call over all {@code bench.tenants}. Configured by system properties
 * ({@code bench.bootstrap}, {@code bench.registry}, {@code bench.colo}, {@code bench.stateDir},
 * {@code bench.tenants}) that {@link InProcessLookupBench} passes to the forked JVM.
 *
 * <p>Both measure once the answer cache has warmed from the store. {@link #answerCache}
 * {@value #WHOLE_INDEX}: the answer cache gets {@code bench.wholeIndexCacheBytes} (room for every
 * tenant), every tenant is looked up once more before measuring, and the heap its values take (as the
 * cache counts them: each value's bytes plus its slot) is written to {@code bench.cacheHeapFile}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LookupBenchmark {
    static final String WHOLE_INDEX = "whole-index";

    /** {@code default}: the colo's default answer cache; {@value #WHOLE_INDEX}: one holding every tenant, filled first. */
    @Param("default")
    public String answerCache;

    private RebuildableReplica replica;
    private String[] ids;

    @Setup(Level.Trial)
    public void open() throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                ConfigKeys.BOOTSTRAP_SERVERS, System.getProperty("bench.bootstrap"),
                ConfigKeys.COLO, System.getProperty("bench.colo"),
                ConfigKeys.STATE_DIR, System.getProperty("bench.stateDir")));
        boolean wholeIndex = answerCache.equals(WHOLE_INDEX);
        if (wholeIndex) {
            settings.put(ConfigKeys.COLO_ANSWER_CACHE_BYTES, System.getProperty("bench.wholeIndexCacheBytes"));
        }
        Settings s = Settings.of(settings);
        MaterializerConfig config = MaterializerConfig.from(s);
        // No change feed in this bench: the smallest ring.
        replica = RebuildableReplica.start(config, new HttpSchemaRegistryClient(System.getProperty("bench.registry")),
                new ChangeRing(config.topics().indexPartitions(), 1));
        replica.whenReady().get(10, TimeUnit.MINUTES);
        MeterRegistry metrics = new SimpleMeterRegistry();
        replica.bindMetrics(metrics);
        Gauge cacheBytes = metrics.get("tenant_index_answer_cache_bytes").gauge();
        awaitSteady(cacheBytes); // the cache warms from the store once the tasks run: measure after that
        int n = Integer.getInteger("bench.tenants");
        ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = Tenants.id(i);
        }
        // Every id must resolve: a miss would measure the 404 path instead.
        for (int i = 0; i < n; i += Math.max(1, n / 1000)) {
            if (replica.lookup(ids[i]).registration().isEmpty()) {
                throw new IllegalStateException("tenant " + ids[i] + " is not in the replica");
            }
        }
        if (wholeIndex) {
            for (String id : ids) {
                replica.lookupEncoded(id); // what warming left out (a full set) gets in on a lookup, as in a colo
            }
            Files.writeString(Path.of(System.getProperty("bench.cacheHeapFile")), Long.toString((long) cacheBytes.value()));
        }
    }

    /**
     * Until {@code gauge} is above zero and has not moved for two seconds: the warming runs after the
     * digest's scan of each store, so the cache may stay empty for seconds after the replica is ready.
     */
    private static void awaitSteady(Gauge gauge) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        double last = -1;
        while (gauge.value() <= 0 || gauge.value() != last) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the answer cache did not warm within 10 minutes (held " + gauge.value() + " bytes)");
            }
            last = gauge.value();
            TimeUnit.SECONDS.sleep(2);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        replica.close();
    }

    @Benchmark
    public Optional<TenantRegistration> lookup() {
        return replica.lookup(ids[ThreadLocalRandom.current().nextInt(ids.length)]).registration();
    }

    @Benchmark
    public byte[] lookupAndBody() {
        return replica.lookupEncoded(ids[ThreadLocalRandom.current().nextInt(ids.length)]).entry().orElseThrow().json();
    }
}
