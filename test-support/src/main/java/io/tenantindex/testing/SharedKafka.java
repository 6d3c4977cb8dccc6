package io.tenantindex.testing;

import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * One real KRaft broker per test JVM, started on first use on a free port in a temporary directory,
 * stopped when the JVM exits; with {@code mvn verify -Pdocker}, one Testcontainers Kafka instead. Tests
 * isolate themselves with {@link #uniqueName(String)} for topics and application ids instead of
 * starting brokers of their own.
 */
public final class SharedKafka {
    /**
     * {@code testcontainers} (set only by the root pom's {@code docker} profile: {@code mvn verify -Pdocker})
     * runs the tests against a Testcontainers Kafka instead of the in-process broker.
     */
    public static final String KAFKA_PROPERTY = "tenantindex.it.kafka";
    /** The image for that container; the profile passes {@code apache/kafka:<kafka.version>}. */
    public static final String IMAGE_PROPERTY = "tenantindex.it.kafka.image";
    private static final String DEFAULT_IMAGE = "apache/kafka:4.3.1";
    private static final String CONTAINER_CLASS = "org.testcontainers.kafka.KafkaContainer";

    private static EmbeddedKafkaBroker broker;
    private static String containerBootstrap;

    private SharedKafka() {
    }

    public static synchronized String bootstrapServers() {
        if ("testcontainers".equals(System.getProperty(KAFKA_PROPERTY))) {
            return containerBootstrapServers();
        }
        if (broker == null) {
            Path dir = tempDir("kafka-");
            broker = EmbeddedKafkaBroker.start(dir, 0, Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> broker.close(), "shared-kafka-shutdown"));
        }
        return broker.bootstrapServers();
    }

    /**
     * Starts one {@code KafkaContainer} per JVM. Reflection keeps Testcontainers off the default
     * build's classpath: only the docker profile adds {@code org.testcontainers:testcontainers-kafka}.
     */
    private static String containerBootstrapServers() {
        if (containerBootstrap == null) {
            String image = System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE);
            try {
                Class<?> type = Class.forName(CONTAINER_CLASS);
                Object container = type.getConstructor(String.class).newInstance(image);
                type.getMethod("start").invoke(container);
                containerBootstrap = (String) type.getMethod("getBootstrapServers").invoke(container);
                Method stop = type.getMethod("stop");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        stop.invoke(container);
                    } catch (ReflectiveOperationException e) {
                        // Testcontainers' own reaper removes the container when the JVM is gone.
                    }
                }, "shared-kafka-container-shutdown"));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("-D" + KAFKA_PROPERTY + "=testcontainers needs org.testcontainers:testcontainers-kafka "
                        + "on the test classpath: run mvn verify -Pdocker", e);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("could not start a Kafka container from " + image
                        + " (the docker profile needs a running Docker engine)", e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("unexpected Testcontainers API in " + CONTAINER_CLASS, e);
            }
        }
        return containerBootstrap;
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
