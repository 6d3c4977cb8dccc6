package io.tenantindex.writer;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An index-writer in a JVM of its own, for tests where the process is the point: {@code kill -9},
 * SIGSTOP/SIGCONT. Its output goes to {@code target/<name>.log}.
 */
final class WriterProcess implements AutoCloseable {
    private static final List<String> PASSED_ON = List.of(ConfigKeys.BOOTSTRAP_SERVERS, ConfigKeys.REGISTRY_URL,
            ConfigKeys.REGISTRY_AUTO_REGISTER, ConfigKeys.INDEX_TOPIC, ConfigKeys.INDEX_PARTITIONS, ConfigKeys.USAGE_TOPIC,
            ConfigKeys.WRITER_ID, ConfigKeys.HTTP_HOST, ConfigKeys.HTTP_PORT, ConfigKeys.WRITER_MAX_BATCH,
            ConfigKeys.AUTH_DISABLED, ConfigKeys.WRITER_ELECTION_SESSION_TIMEOUT_MS);

    private final Process process;
    private final String base;

    private WriterProcess(Process process, int port) {
        this.process = process;
        this.base = "http://127.0.0.1:" + port;
    }

    /** Starts a writer with {@code settings} (on a free port unless they name one); returns at once. */
    static WriterProcess start(String name, Settings settings) throws IOException {
        Settings s = settings.has(ConfigKeys.HTTP_PORT) && !settings.required(ConfigKeys.HTTP_PORT).equals("0")
                ? settings : settings.with(Map.of(ConfigKeys.HTTP_PORT, Integer.toString(EmbeddedKafkaBroker.freePort())));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), WriterApp.class.getName()));
        for (String key : PASSED_ON) {
            if (s.has(key)) {
                command.add(Settings.flagName(key));
                command.add(s.required(key));
            }
        }
        Path log = Path.of("target", name + ".log");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new WriterProcess(p, Integer.parseInt(s.required(ConfigKeys.HTTP_PORT)));
    }

    /** http://127.0.0.1:port, which is also the writer's advertised URL. */
    String base() {
        return base;
    }

    /** kill -9: no shutdown hook, no goodbye to the group or the broker. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGSTOP: the process is frozen mid-whatever, its sockets stay open. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited with " + rc);
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            // A paused process ignores SIGTERM until continued; SIGKILL ends it either way.
            kill();
        }
    }
}
