package io.tenantindex.colo;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.kafka.TopicAdmin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition count a colo's state was built with, recorded next to it
 * ({@code <application.id>.partitions}, beside the generation file) when the colo first starts on
 * the topic. Each tenant's record lives in the partition the shared partitioner computed from the
 * count at write time; after partitions were added, new writes of a tenant land elsewhere than its
 * old records, so a colo that finds another count refuses to start instead of serving a mix.
 */
final class BuiltPartitions {
    private static final Logger LOG = LoggerFactory.getLogger(BuiltPartitions.class);

    private BuiltPartitions() {
    }

    /**
     * Compares the topic's partition count with the recorded one, recording it if there is none yet;
     * a different count is a {@code ConfigException} naming both. With Kafka unreachable nothing can
     * be compared: the colo serves its local state and checks at its next start.
     */
    static void verify(MaterializerConfig base) {
        Path file = base.stateDir().resolve(base.applicationId() + ".partitions");
        OptionalInt actual = topicPartitions(base);
        if (actual.isEmpty()) {
            return;
        }
        if (!Files.exists(file)) {
            record(file, actual.getAsInt());
            return;
        }
        int recorded = read(file);
        if (recorded != actual.getAsInt()) {
            throw TopicAdmin.partitionCountChanged("colo " + base.colo() + "'s state (" + file + ") was built for", recorded,
                    base.indexTopic(), actual.getAsInt());
        }
    }

    /** The topic's count; the configured one if the topic does not exist yet (the colo creates it so); empty if unknown. */
    private static OptionalInt topicPartitions(MaterializerConfig base) {
        Properties props = base.kafka().clientProperties();
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(props)) {
            return OptionalInt.of(admin.describeTopics(List.of(base.indexTopic())).allTopicNames().get(5, TimeUnit.SECONDS)
                    .get(base.indexTopic()).partitions().size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return OptionalInt.of(base.topics().indexPartitions());
            }
            LOG.warn("colo {}: cannot check the partition count of {} against its state: {}", base.colo(), base.indexTopic(),
                    e.getCause().toString());
        } catch (TimeoutException e) {
            LOG.warn("colo {}: cannot check the partition count of {} against its state: Kafka did not answer", base.colo(),
                    base.indexTopic());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OptionalInt.empty();
    }

    private static int read(Path file) {
        try {
            return Integer.parseInt(Files.readString(file, StandardCharsets.UTF_8).trim());
        } catch (IOException | NumberFormatException e) {
            throw new ConfigException("unreadable partition count record " + file + " (" + e.getMessage()
                    + "); if the topic's partition count never changed, delete the file and start again");
        }
    }

    private static void record(Path file, int partitions) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Integer.toString(partitions), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the partition count in " + file, e);
        }
    }
}
