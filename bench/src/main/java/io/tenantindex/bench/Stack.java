package io.tenantindex.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.http.MiniHttp;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The local stack under test: one child JVM running {@code ./tenant-index up --no-sink --no-seed}
 * (broker, registry, writer, colos ORD/SIN/AMS) on reserved loopback ports, and what the benchmarks
 * ask its broker.
 */
final class Stack {
    static final String TOPIC = "tenant-index";
    static final String USAGE_TOPIC = "tenant-usage";

    final Procs.Child child;
    final String bootstrap;
    final String registryUrl;
    final int writerPort;
    /** colo code → lookup-api port. */
    final Map<String, Integer> colos;

    private Stack(Procs.Child child, String bootstrap, String registryUrl, int writerPort, Map<String, Integer> colos) {
        this.child = child;
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.writerPort = writerPort;
        this.colos = colos;
    }

    static Stack start(BenchRun run) throws Exception {
        int kafkaPort = Ports.reserve();
        int registryPort = Ports.reserve();
        int writerPort = Ports.reserve();
        Map<String, Integer> colos = new LinkedHashMap<>();
        for (String c : List.of("ORD", "SIN", "AMS")) {
            colos.put(c, Ports.reserve());
        }
        String coloSpec = colos.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
        List<String> cmd = run.jvm("stack", run.options.stackHeap);
        cmd.addAll(List.of("io.tenantindex.launcher.TenantIndexCli", "up", "--data-dir", run.work.resolve("stack").toString(),
                "--host", "127.0.0.1", "--kafka-port", Integer.toString(kafkaPort), "--registry-port", Integer.toString(registryPort),
                "--writer-port", Integer.toString(writerPort), "--colos", coloSpec,
                // The usage-log-sink is a service of its own in production; here it runs in its own JVM, only
                // for the sink benchmark, so that it does not share the lookup benchmarks' two cores unseen.
                "--no-sink", "--no-seed"));
        System.out.println("bench: starting the local stack (log: " + run.logs.resolve("stack.log") + ")");
        Procs.Child child = Procs.start("stack", cmd, run.logs);
        Stack stack = new Stack(child, "127.0.0.1:" + kafkaPort, "http://127.0.0.1:" + registryPort, writerPort, colos);
        BenchRun.awaitReady(child, writerPort, 180);
        for (int port : colos.values()) {
            BenchRun.awaitReady(child, port, 180);
        }
        run.report.config.put("stack", "one JVM (-Xmx" + run.options.stackHeap + "): KRaft broker, registry, "
                + "index-writer, colos ORD/SIN/AMS — ./tenant-index up --no-sink on free loopback ports; the usage-log-sink "
                + "runs in its own JVM for the sink benchmark only");
        return stack;
    }

    long pid() {
        return child.pid();
    }

    int[] coloPorts() {
        return colos.values().stream().mapToInt(Integer::intValue).toArray();
    }

    /** All three stack colos have applied every partition up to the last committed record. */
    void awaitColosCaughtUp(long timeoutSeconds) throws Exception {
        Map<Integer, Long> ends = endOffsets(TOPIC);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (int port : colos.values()) {
            while (!caughtUp(port, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("colo on port " + port + " did not catch up in " + timeoutSeconds + " s");
                }
                Thread.sleep(50);
            }
        }
    }

    private static boolean caughtUp(int port, Map<Integer, Long> ends) {
        try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
            JsonNode stats = Json.MAPPER.readTree(http.request("GET", "/stats", null, null).body());
            for (Map.Entry<Integer, Long> e : ends.entrySet()) {
                long applied = stats.path("position").path(Integer.toString(e.getKey())).asLong(-1);
                // The end offset is past the last transaction's commit marker: last record = end − 2.
                if (e.getValue() > 0 && applied < e.getValue() - 2) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Admin admin() {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    Map<Integer, Long> endOffsets(String topic) throws Exception {
        try (Admin admin = admin()) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                q.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<Integer, Long> out = new TreeMap<>();
            admin.listOffsets(q).all().get().forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        }
    }

    /** The offsets {@code group} committed on the usage topic, summed over its partitions. */
    long committedUsage(String group) throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(USAGE_TOPIC) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }
}
