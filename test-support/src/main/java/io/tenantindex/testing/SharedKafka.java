package io.tenantindex.testing;

import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * One real KRaft broker per test JVM, started on first use on a free port in a temporary directory,
 * stopped when the JVM exits. Tests isolate themselves with {@link #uniqueName(String)} for topics
 * and application ids instead of starting brokers of their own.
 */
public final class SharedKafka {
    private static EmbeddedKafkaBroker broker;

    private SharedKafka() {
    }

    public static synchronized String bootstrapServers() {
        if (broker == null) {
            Path dir = tempDir("kafka-");
            broker = EmbeddedKafkaBroker.start(dir, 0, Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> broker.close(), "shared-kafka-shutdown"));
        }
        return broker.bootstrapServers();
    }

    /** {@code prefix} plus a short random suffix: a topic or application id no other test uses. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static Path tempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory("tenant-index-" + prefix);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
