package io.tenantindex.bench;

import io.tenantindex.client.EmbeddedReplica;
import io.tenantindex.protocol.TenantEntry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A router's lookup in tenant-index-client's {@link EmbeddedReplica}: {@link #get} of a random
 * tenant, the replica filled from a stack colo's change feed (system properties {@code bench.coloUrl},
 * {@code bench.tenants}, passed by {@link EmbeddedReplicaLookupBench}) and following it while measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EmbeddedReplicaBenchmark {
    private EmbeddedReplica replica;
    private String[] ids;

    @Setup(Level.Trial)
    public void open() throws Exception {
        replica = EmbeddedReplica.builder().colos(List.of(System.getProperty("bench.coloUrl"))).start();
        if (!replica.awaitReady(Duration.ofMinutes(10))) {
            throw new IllegalStateException("no snapshot from " + System.getProperty("bench.coloUrl") + " in 10 minutes");
        }
        int n = Integer.getInteger("bench.tenants");
        ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = Tenants.id(i);
        }
        // Every id must resolve: a miss would measure the empty answer instead.
        for (int i = 0; i < n; i += Math.max(1, n / 1000)) {
            if (replica.get(ids[i]).isEmpty()) {
                throw new IllegalStateException("tenant " + ids[i] + " is not in the embedded replica");
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        replica.close();
    }

    @Benchmark
    public Optional<TenantEntry> get() {
        return replica.get(ids[ThreadLocalRandom.current().nextInt(ids.length)]);
    }
}
