package io.tenantindex.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Child processes of the bench (stack, colos, nginx, wrk): started with their output in a log file, always stopped. */
final class Procs {
    private static final List<Process> LIVE = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (LIVE) {
                LIVE.forEach(Process::destroyForcibly);
            }
        }, "bench-children"));
    }

    private Procs() {
    }

    record Child(String name, Process process, Path log, long launchedNanos) {
        long pid() {
            return process.pid();
        }
    }

    static Child start(String name, List<String> command, Path logDir) throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Everything listens on 127.0.0.1 and the bench's load tools send no bearer tokens.
        pb.environment().put("TENANT_INDEX_AUTH_DISABLED", "true");
        long launched = System.nanoTime();
        Process p = pb.start();
        synchronized (LIVE) {
            LIVE.add(p);
        }
        return new Child(name, p, log, launched);
    }

    /** SIGTERM (the JVMs' shutdown hooks close cleanly: Streams leaves its group), SIGKILL after {@code seconds}. */
    static void stop(Child c, long seconds) throws InterruptedException {
        c.process().destroy();
        if (!c.process().waitFor(seconds, TimeUnit.SECONDS)) {
            System.err.println("bench: " + c.name() + " did not stop in " + seconds + " s; killing it");
            c.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        synchronized (LIVE) {
            LIVE.remove(c.process());
        }
    }

    /** kill -9: no shutdown hook runs, the process says goodbye to no one. Returns when it is gone. */
    static void kill(Child c) throws InterruptedException {
        c.process().destroyForcibly().waitFor();
        synchronized (LIVE) {
            LIVE.remove(c.process());
        }
    }

    /** Runs a command to completion and returns its output; fails on a non-zero exit. */
    static String run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " took more than " + timeoutSeconds + " s");
        }
        String text = new String(out);
        if (p.exitValue() != 0) {
            throw new IOException(command + " exited " + p.exitValue() + ": " + LoadTools.abbreviate(text));
        }
        return text;
    }

    /** A {@code /proc/<pid>/status} field in KiB (VmRSS, VmHWM, …); -1 if unreadable. */
    /** Clock ticks per second of the /proc CPU counters (USER_HZ on Linux). */
    static final long TICKS_PER_SECOND = 100;

    /** CPU clock ticks (user + system) used so far by the threads of {@code pid}, summed by thread name (Linux keeps 15 characters). */
    static Map<String, Long> ticksByThreadName(long pid) {
        Map<String, Long> out = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // Fields after the ")" that closes the thread name: state is field 3, utime 14, stime 15.
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(Files.readString(task.resolve("comm")).trim(), Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException threadGone) {
                    // the thread exited between the listing and the read
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    /** CPU clock ticks (user + system) used so far by all threads of {@code pid}. */
    static long cpuTicks(long pid) {
        return ticksByThreadName(pid).values().stream().mapToLong(Long::longValue).sum();
    }

    /** CPU time (clock ticks, user + system) the JVM's C2 compiler threads of {@code pid} have used so far. */
    static long jitCpuTicks(long pid) {
        return ticksByThreadName(pid).entrySet().stream().filter(e -> e.getKey().startsWith("C2 Compiler"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    static long procStatusKib(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The last number captured by {@code pattern} (one group) in a child's log; -1 if none. */
    static long lastMatch(Path log, Pattern pattern) {
        try {
            long found = -1;
            for (String line : Files.readAllLines(log)) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    found = Long.parseLong(m.group(1));
                }
            }
            return found;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
