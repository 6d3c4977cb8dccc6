package io.tenantindex.bench;

import io.tenantindex.common.Json;
import io.tenantindex.common.api.ColoStats;
import io.tenantindex.common.http.MiniHttp;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * What every benchmark of one run shares: the flags, the report, the work and log directories,
 * the local stack, and the colo under test (the fresh colo the rebuild benchmark left, which the
 * later benchmarks restart and measure). Also how the bench launches its child JVMs.
 */
final class BenchRun {
    /** The colo's own log line at readiness. */
    static final Pattern READY_AFTER = Pattern.compile("ready after (\\d+) ms");

    final BenchOptions options;
    final Report report = new Report();
    final Path work;
    final Path logs;
    private final String classpath = System.getProperty("java.class.path");
    /**
     * The colos' classpath: the bench's jars without its classes directory, which a colo does not use and
     * which makes a JVM dumping an AppCDS archive fail ("Cannot have non-empty directory in paths").
     */
    private final String coloClasspath = Arrays.stream(classpath.split(File.pathSeparator))
            .filter(entry -> !Files.isDirectory(Path.of(entry))).collect(Collectors.joining(File.pathSeparator));
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** The colos' AppCDS archive: dumped when the run's first colo JVM exits, then mapped by every later one. */
    private final Path coloArchive;
    private boolean coloArchiveDumping;
    private int coloSeq;
    Stack stack;
    /** The colo under test and its running JVM; null until the last rebuild step made one, and after it stopped. */
    Colo colo;
    Procs.Child coloJvm;

    /**
     * A colo the bench runs on its own: a code of its own (so its own application id), state dir and port.
     * {@code instanceId} null: the default instance id (the host name).
     */
    record Colo(String code, String instanceId, Path stateDir, int port) {
        String name() {
            return "colo-" + code + (instanceId == null ? "" : "-" + instanceId);
        }
    }

    BenchRun(BenchOptions options) throws IOException {
        this.options = options;
        this.work = options.workDir != null ? options.workDir : Files.createTempDirectory("tenant-index-bench-");
        this.logs = work.resolve("logs");
        this.coloArchive = work.resolve("colo-classes.jsa");
        Files.createDirectories(logs);
        report.config.put("colo JVMs", options.coloCds ? "class data sharing (AppCDS): the first colo JVM of the run dumps the "
                + "classes it loaded into an archive in the work dir when it exits (-XX:ArchiveClassesAtExit), every later colo JVM "
                + "maps it (-XX:SharedArchiveFile), as a deployment would with an archive built with its image" : "no class data sharing archive (--no-colo-cds)");
        report.config.put("colo native library", options.coloNativeDir ? "RocksDB's JNI library unpacked from its jar once per run into "
                + "the work dir and loaded from there (-Djava.library.path), as the Docker image does" : "unpacked by RocksDB from its jar "
                + "on every start (--no-colo-native-dir)");
    }

    long tenants() {
        return options.tenants;
    }

    List<String> jvm(String name, String heap) {
        return jvm(name, heap, classpath);
    }

    private List<String> jvm(String name, String heap, String cp) {
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError"));
        if (options.jfr) {
            cmd.add("-XX:StartFlightRecording=filename=" + work.resolve(name + ".jfr") + ",settings=profile,dumponexit=true");
        }
        cmd.addAll(List.of("-cp", cp));
        return cmd;
    }

    Colo newColo(String prefix) {
        coloSeq++;
        String code = prefix + coloSeq;
        return new Colo(code, null, work.resolve("colo-" + code), Ports.reserve());
    }

    /** Another instance of colo {@code c}: its own instance id, so its own application id, group, state dir and port. */
    Colo anotherInstance(Colo c, String instanceId) {
        return new Colo(c.code(), instanceId, work.resolve("colo-" + c.code() + "-" + instanceId), Ports.reserve());
    }

    /** Launches colo {@code c}; {@code flags} are further settings as flags ({@code --colo-static-membership false}). */
    Procs.Child launchColo(Colo c, boolean usageEmission, String... flags) throws IOException {
        List<String> cmd = jvm(c.name(), options.coloHeap, coloClasspath);
        if (options.coloNativeDir) {
            cmd.add(1, "-Djava.library.path=" + coloNativeDir());
        }
        if (options.coloCds && Files.exists(coloArchive)) {
            cmd.add(1, "-XX:SharedArchiveFile=" + coloArchive);
        } else if (options.coloCds && !coloArchiveDumping) {
            coloArchiveDumping = true;
            cmd.add(1, "-XX:ArchiveClassesAtExit=" + coloArchive);
        }
        cmd.addAll(List.of("io.tenantindex.lookup.ColoServer", "--colo", c.code(), "--http-host", "127.0.0.1",
                "--http-port", Integer.toString(c.port()), "--bootstrap-servers", stack.bootstrap, "--registry-url", stack.registryUrl,
                "--state-dir", c.stateDir().toString(),
                // As in the local stack, which owns its registry: the usage emitter registers its schema. Without it
                // every usage event costs a failing registry round trip (found by profiling this bench).
                "--registry-auto-register", "true", "--usage-emitter-enabled", Boolean.toString(usageEmission)));
        if (c.instanceId() != null) {
            cmd.addAll(List.of("--instance-id", c.instanceId()));
        }
        cmd.addAll(List.of(flags));
        return Procs.start(c.name(), cmd, logs);
    }

    /** RocksDB's JNI library, unpacked from its jar once per run into the work dir (where an image holds it). */
    private Path coloNativeDir() throws IOException {
        Path dir = work.resolve("native");
        String name = Environment.getJniLibraryFileName("rocksdb");
        Path lib = dir.resolve(name);
        if (!Files.exists(lib)) {
            Files.createDirectories(dir);
            try (InputStream in = RocksDB.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException("no " + name + " in the rocksdbjni jar");
                }
                Files.copy(in, lib);
            }
        }
        return dir;
    }

    /**
     * Launches an index-writer JVM of {@code writerId} on the stack's broker and index topic, listening on
     * (and advertising) 127.0.0.1:{@code port}; writers of one id elect one active writer.
     */
    Procs.Child launchWriter(String name, String writerId, int port, long sessionTimeoutMs) throws IOException {
        List<String> cmd = jvm(name, options.writerHeap);
        cmd.addAll(List.of("io.tenantindex.writer.WriterApp", "--bootstrap-servers", stack.bootstrap, "--registry-url", stack.registryUrl,
                "--registry-auto-register", "true", "--http-host", LoadTools.HOST, "--http-port", Integer.toString(port),
                "--writer-advertised-url", "http://" + LoadTools.HOST + ":" + port, "--writer-id", writerId,
                "--writer-election-session-timeout-ms", Long.toString(sessionTimeoutMs)));
        return Procs.start(name, cmd, logs);
    }

    /** Stops the colo under test (SIGTERM, then SIGKILL after 60 s). */
    void stopColo() throws InterruptedException {
        if (coloJvm != null) {
            Procs.stop(coloJvm, 60);
            coloJvm = null;
        }
    }

    /** GET /stats of the lookup-api on {@code port}. */
    static ColoStats stats(int port) throws IOException {
        try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
            return stats(http);
        }
    }

    /** GET /stats over an open connection. */
    static ColoStats stats(MiniHttp http) throws IOException {
        return Json.readAnswer(http.request("GET", "/stats", null, null).bodyText(), ColoStats.class);
    }

    /** Polls GET /health/ready every 20 ms until 200; returns ms since the child was launched. */
    static double awaitReady(Procs.Child child, int port, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (!child.process().isAlive()) {
                throw new IllegalStateException(child.name() + " exited (" + child.process().exitValue() + "); see " + child.log());
            }
            try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
                if (http.request("GET", "/health/ready", null, null).status() == 200) {
                    return (System.nanoTime() - child.launchedNanos()) / 1e6;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(child.name() + " not ready on port " + port + " after " + timeoutSeconds + " s; see " + child.log());
    }

    /** 1000000 → "1M", 100000 → "100k". */
    static String count(long n) {
        return n >= 1_000_000 && n % 1_000_000 == 0 ? (n / 1_000_000) + "M" : n >= 1000 && n % 1000 == 0 ? (n / 1000) + "k" : Long.toString(n);
    }
}
