package io.tenantindex.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The bench's flags: sizes and durations of every benchmark, the child JVMs' heaps, where results go. */
final class BenchOptions {
    @Option(names = "--tenants", converter = Count.class, defaultValue = "1000000", description = "Index size (default ${DEFAULT-VALUE}).")
    long tenants;
    @Option(names = "--rebuild-steps", defaultValue = "100000",
            description = "Extra sizes at which a fresh replica's rebuild is timed, comma-separated (default ${DEFAULT-VALUE}).")
    String rebuildSteps;
    @Option(names = "--wrk-seconds", converter = Count.class, defaultValue = "20", description = "wrk duration per target (default ${DEFAULT-VALUE}).")
    long wrkSeconds;
    @Option(names = "--wrk-connections", converter = Count.class, defaultValue = "64", description = "wrk connections (default ${DEFAULT-VALUE}).")
    long wrkConnections;
    @Option(names = "--wrk-threads", converter = Count.class, defaultValue = "2", description = "wrk threads (default ${DEFAULT-VALUE}).")
    long wrkThreads;
    @Option(names = "--open-loop-seconds", converter = Count.class, defaultValue = "15",
            description = "Open-loop run at half the max rate, per target (default ${DEFAULT-VALUE}).")
    long openLoopSeconds;
    @Option(names = "--put-seconds", converter = Count.class, defaultValue = "15", description = "PUTs at --put-concurrency (default ${DEFAULT-VALUE}).")
    long putSeconds;
    @Option(names = "--put-concurrency", converter = Count.class, defaultValue = "32", description = "PUT connections (default ${DEFAULT-VALUE}).")
    long putConcurrency;
    @Option(names = "--lag-seconds", converter = Count.class, defaultValue = "15", description = "Each replication-lag run (default ${DEFAULT-VALUE}).")
    long lagSeconds;
    @Option(names = "--lag-rate", converter = Count.class, defaultValue = "1000", description = "Writes/s of the steady lag run (default ${DEFAULT-VALUE}).")
    long lagRate;
    @Option(names = "--jmh-warmup", converter = Count.class, defaultValue = "3", description = "JMH warm-up iterations (default ${DEFAULT-VALUE}).")
    long jmhWarmup;
    @Option(names = "--jmh-iterations", converter = Count.class, defaultValue = "5", description = "JMH measured iterations (default ${DEFAULT-VALUE}).")
    long jmhIterations;
    @Option(names = "--jmh-seconds", converter = Count.class, defaultValue = "5", description = "Seconds per JMH iteration (default ${DEFAULT-VALUE}).")
    long jmhSeconds;
    @Option(names = "--emission-rounds", converter = Count.class, defaultValue = "2",
            description = "Off/on pairs of the usage-emission comparison (default ${DEFAULT-VALUE}).")
    long emissionRounds;
    @Option(names = "--sink-seconds", converter = Count.class, defaultValue = "30",
            description = "Window over which the usage-log-sink's throughput is measured (default ${DEFAULT-VALUE}).")
    long sinkSeconds;
    @Option(names = "--stack-heap", defaultValue = "3g", description = "-Xmx of the stack JVM (default ${DEFAULT-VALUE}).")
    String stackHeap;
    @Option(names = "--colo-heap", defaultValue = "512m", description = "-Xmx of each colo JVM (default ${DEFAULT-VALUE}).")
    String coloHeap;
    @Option(names = "--writer-heap", defaultValue = "1g", description = "-Xmx of each writer JVM of the takeover benchmark (default ${DEFAULT-VALUE}).")
    String writerHeap;
    @Option(names = "--instances-seconds", converter = Count.class, defaultValue = "20",
            description = "Each closed-loop run of the one-vs-two-instances lookup comparison (default ${DEFAULT-VALUE}).")
    long instancesSeconds;
    @Option(names = "--sink-heap", defaultValue = "512m", description = "-Xmx of the usage-log-sink JVM (default ${DEFAULT-VALUE}).")
    String sinkHeap;
    @Option(names = "--jmh-heap", defaultValue = "1g", description = "-Xmx of the JMH fork (default ${DEFAULT-VALUE}).")
    String jmhHeap;
    @Option(names = "--colo-cds", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Start colo JVMs with an AppCDS archive of their classes, dumped by the run's first colo JVM (default: on).")
    boolean coloCds;
    @Option(names = "--colo-native-dir", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Load RocksDB's native library in colo JVMs from a directory on java.library.path, extracted from its jar "
                    + "once per run, instead of RocksDB unpacking it on every start (default: on).")
    boolean coloNativeDir;
    @Option(names = "--jfr", description = "Record JFR (profile settings) in the stack and colo JVMs (in the work dir).")
    boolean jfr;
    @Option(names = "--work-dir", description = "Where data and logs go (default: a new temp dir).")
    Path workDir;
    @Option(names = "--out", defaultValue = "bench/results", description = "Results directory (default ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--skip", split = ",", description = "Skip parts: rebuild, restart, membership, bluegreen, http, redis, instances, feeds, emission, jmh, "
            + "producer-floor, puts, lag, replica-lag, replica-jmh, kafka-floor, newcomer, takeover.")
    List<String> skip = new ArrayList<>();

    boolean skips(String part) {
        return skip.contains(part);
    }

    /** Whole numbers, with optional digit separators as in Java literals: {@code 1_000_000}. */
    static final class Count implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Long.parseLong(value.replace("_", ""));
        }
    }
}
