package io.tenantindex.colo;

import io.tenantindex.common.kafka.TopicAdmin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a generation's state last held every record of the index topic, recorded beside it
 * ({@code <application.id>.in-sync}, epoch millis), and whether that state can still be trusted.
 *
 * <p>Why: the cleaner drops a tombstone {@code delete.retention.ms} after it first cleaned it. A
 * colo whose state is older than that resumes from its committed offsets, never sees a delete made
 * meanwhile and would serve the deregistered tenant forever. Such a state is wiped before Streams
 * opens it and restored from the topic, which holds neither the tenant nor its tombstone any more.
 *
 * <p>The time is read before the end offsets at which the store was seen caught up: every record
 * the state lacks came later, so its tombstone outlives that time by the whole retention. It is
 * written on a clean close only, when exactly-once has committed and flushed what was applied; a
 * crashed exactly-once task restores from scratch anyway and leaves the older record, which errs
 * on the safe side. A state is trusted for half the retention: the margin covers clock differences
 * between colo and brokers and the time from this check until Streams has read the records.
 */
final class LastInSync {
    private static final Logger LOG = LoggerFactory.getLogger(LastInSync.class);
    /** Kafka's default, assumed when the topic's own value cannot be read. */

    private LastInSync() {
    }

    /**
     * Why the generation's local state must not be served (empty: no state, or recent enough):
     * older than half the topic's {@code delete.retention.ms}, or of unknown age.
     */
    static Optional<String> distrust(MaterializerConfig config, Admin admin, long nowMillis) {
        if (!Files.isDirectory(config.stateDir().resolve(config.applicationId()))) {
            return Optional.empty();
        }
        Path file = file(config);
        Optional<Long> recorded = read(file);
        if (recorded.isEmpty()) {
            return Optional.of("local state with no record of when it was last in sync with " + config.indexTopic() + " (" + file
                    + "): deletes compacted away since cannot be ruled out");
        }
        long retention = deleteRetentionMs(config, admin);
        long age = nowMillis - recorded.get();
        if (trusted(age, retention)) {
            return Optional.empty();
        }
        return Optional.of("local state last in sync with " + config.indexTopic() + " at " + Instant.ofEpochMilli(recorded.get())
                + ", " + age + " ms ago, longer than half its delete.retention.ms (" + retention
                + " ms): deletes made meanwhile may be compacted away");
    }

    /** Whether a state last in sync {@code ageMs} ago is recent enough that no delete it missed can have lost its tombstone. */
    static boolean trusted(long ageMs, long deleteRetentionMs) {
        return ageMs <= deleteRetentionMs / 2;
    }

    /**
     * When the state Streams is about to open was last in sync: -1 if there is none on disk (it
     * restores from scratch), else the record, 0 if there is none (a state {@link #distrust} could
     * not check at start, Kafka being unreachable).
     */
    static long trustedSince(MaterializerConfig config) {
        if (!Files.isDirectory(config.stateDir().resolve(config.applicationId()))) {
            return -1;
        }
        return read(file(config)).orElse(0L);
    }

    /** Records that the state, as committed by a clean close, held everything written before {@code atMillis}. */
    static void record(MaterializerConfig config, long atMillis) {
        Path file = file(config);
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Long.toString(atMillis), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // The next start then distrusts the state and restores it: slower, never wrong.
            LOG.warn("colo {}: cannot record when its state was last in sync in {}: {}", config.colo(), file, e.toString());
        }
    }

    /** Removes the record, with the state it described. */
    static void forget(MaterializerConfig config) {
        try {
            Files.deleteIfExists(file(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file(config), e);
        }
    }

    private static Path file(MaterializerConfig config) {
        return config.stateDir().resolve(config.applicationId() + ".in-sync");
    }

    private static Optional<Long> read(Path file) {
        try {
            return Files.exists(file) ? Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()))
                    : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            LOG.warn("unreadable in-sync record {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    /** The topic's effective {@code delete.retention.ms} (its own, the broker's or Kafka's default). */
    static long deleteRetentionMs(MaterializerConfig config, Admin admin) {
        return TopicAdmin.deleteRetentionMs(admin, config.indexTopic(), "colo " + config.colo());
    }
}
