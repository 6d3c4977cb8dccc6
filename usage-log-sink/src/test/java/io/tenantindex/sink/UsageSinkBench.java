package io.tenantindex.sink;

import static org.awaitility.Awaitility.await;

import io.tenantindex.common.api.SinkStats;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.lookup.usage.KafkaUsageEmitter;
import io.tenantindex.lookup.usage.UsageEmitterConfig;
import io.tenantindex.schemas.LookupOutcome;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.testing.SharedKafka;
import java.util.Arrays;
import java.util.List;
import java.time.Duration;
import java.util.Map;

/**
 * Sink throughput on the in-process broker (a benchmark, not a test): three colo emitters write N
 * events for 10,000 tenants, then a fresh sink (exactly-once, one stream thread) works through the
 * backlog; the rate is N over the time from its start until its committed lag is zero. Also prints
 * what {@code record()} costs two concurrent lookup threads and how fast the emitters drain.
 *
 * <pre>
 * mvn -o -q -pl usage-log-sink test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx1g -cp usage-log-sink/target/classes:usage-log-sink/target/test-classes:$(cat usage-log-sink/target/cp.txt) \
 *     io.tenantindex.sink.UsageSinkBench 500000
 * </pre>
 */
public final class UsageSinkBench {
    private UsageSinkBench() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        String bootstrap = SharedKafka.bootstrapServers();
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(KafkaSettings.of(bootstrap),
                TopicsConfig.from(Settings.empty()).schemas(), "127.0.0.1", 0)) {
            Settings settings = Settings.of(Map.of(
                    ConfigKeys.BOOTSTRAP_SERVERS, bootstrap,
                    ConfigKeys.REGISTRY_URL, registry.url(),
                    ConfigKeys.REGISTRY_AUTO_REGISTER, "true",
                    ConfigKeys.USAGE_TOPIC, SharedKafka.uniqueName("usage-bench"),
                    ConfigKeys.STATE_DIR, SharedKafka.tempDir("usage-bench").toString(),
                    ConfigKeys.SINK_APPLICATION_ID, SharedKafka.uniqueName("usage-bench"),
                    ConfigKeys.SINK_HTTP_PORT, "0",
                    ConfigKeys.USAGE_EMITTER_BUFFER_SIZE, Integer.toString(events),
                    ConfigKeys.USAGE_EMITTER_CLOSE_TIMEOUT_MS, "300000"));
            List<KafkaUsageEmitter> colos = List.of("ORD", "SIN", "AMS").stream()
                    .map(colo -> KafkaUsageEmitter.start(UsageEmitterConfig.from(settings.with(ConfigKeys.COLO, colo))))
                    .toList();
            String[] tenants = new String[10_000];
            Arrays.setAll(tenants, t -> "tenant-" + t);
            String[] requestIds = new String[events];
            Arrays.setAll(requestIds, i -> "r" + i);
            // Two lookup threads (the machine has two cores), each recording half of the events.
            long t0 = System.nanoTime();
            Thread[] lookups = new Thread[2];
            for (int w = 0; w < lookups.length; w++) {
                int first = w;
                lookups[w] = new Thread(() -> {
                    for (int i = first; i < events; i += 2) {
                        colos.get(i % 3).record(tenants[i % tenants.length], LookupOutcome.values()[i % 4], 50 + i % 2_000, requestIds[i]);
                    }
                });
                lookups[w].start();
            }
            for (Thread lookup : lookups) {
                lookup.join();
            }
            long recorded = System.nanoTime();
            for (KafkaUsageEmitter colo : colos) {
                colo.close();
            }
            long acked = System.nanoTime();
            long emitted = colos.stream().mapToLong(KafkaUsageEmitter::emitted).sum();
            System.out.printf("record(): %d calls from 2 threads in %d ms = %.0f ns per call per thread%n",
                    events, (recorded - t0) / 1_000_000, 2 * (recorded - t0) / (double) events);
            System.out.printf("emitters: %d acked, %d dropped, %d failed; %.0f events/s until all acked%n", emitted,
                    colos.stream().mapToLong(KafkaUsageEmitter::dropped).sum(),
                    colos.stream().mapToLong(KafkaUsageEmitter::failed).sum(), emitted / ((acked - t0) / 1e9));

            long start = System.nanoTime();
            try (UsageSink sink = UsageSink.start(SinkConfig.from(settings))) {
                long[] first = {0};
                await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    SinkStats stats = sink.stats();
                    if (first[0] == 0 && stats.processed() > 0) {
                        first[0] = System.nanoTime();
                    }
                    return stats.lag() == 0 && stats.processed() > 0;
                });
                long firstProcessed = first[0];
                long done = System.nanoTime();
                System.out.printf("sink: %d events in %d ms from start = %.0f events/s (%.0f events/s after the first record)%n",
                        emitted, (done - start) / 1_000_000, emitted / ((done - start) / 1e9),
                        emitted / ((done - firstProcessed) / 1e9));
                Runtime rt = Runtime.getRuntime();
                System.out.printf("heap used %d MiB of max %d MiB%n", (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
            }
        }
        System.exit(0);
    }
}
