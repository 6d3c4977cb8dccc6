package io.tenantindex.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a JVM's CPU went between two moments, by component, from its threads' names: which part
 * of the one-JVM stack a write benchmark is really waiting for on two shared cores.
 */
final class CpuSplit {
    private final long pid;
    private final Map<String, Long> before;
    private final long startedNanos = System.nanoTime();

    private CpuSplit(long pid) {
        this.pid = pid;
        this.before = Procs.ticksByThreadName(pid);
    }

    static CpuSplit start(long pid) {
        return new CpuSplit(pid);
    }

    /** "X cores on average: writer a%, colos b%, …", largest first. */
    String summary() {
        double wall = (System.nanoTime() - startedNanos) / 1e9;
        Map<String, Long> byComponent = new LinkedHashMap<>();
        Procs.ticksByThreadName(pid).forEach((name, ticks) ->
                byComponent.merge(component(name), ticks - before.getOrDefault(name, 0L), Long::sum));
        long total = byComponent.values().stream().mapToLong(Long::longValue).sum();
        if (total <= 0) {
            return "no CPU recorded";
        }
        return String.format(Locale.ROOT, "the stack JVM used %.2f cores on average: ", total / (double) Procs.TICKS_PER_SECOND / wall)
                + byComponent.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100.0 * e.getValue() / total))
                .collect(Collectors.joining(", "));
    }

    /** A thread's component from its (15-character) name. */
    static String component(String thread) {
        if (thread.startsWith("index-writer")) {
            return "writer";
        }
        if (thread.startsWith("tenant-index-co") || thread.startsWith("colo-")) {
            return "colos";
        }
        if (thread.startsWith("kafka-producer-") || thread.startsWith("kafka-admin-cli") || thread.startsWith("kafka-coordinat")) {
            return "Kafka clients' network threads";
        }
        if (thread.startsWith("data-plane-kafk") || thread.startsWith("kafka-") || thread.startsWith("broker-")
                || thread.startsWith("quorum-") || thread.startsWith("raft-") || thread.startsWith("ExpirationReape")
                || thread.startsWith("group-coordina") || thread.startsWith("transaction-")) {
            return "broker";
        }
        if (thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler")) {
            return "JIT";
        }
        if (thread.startsWith("GC Thread") || thread.startsWith("G1 ")) {
            return "GC";
        }
        if (thread.startsWith("JettyServerThre") || thread.startsWith("qtp")) {
            return "HTTP threads (Jetty: request parsing, import validation)";
        }
        return "other";
    }
}
