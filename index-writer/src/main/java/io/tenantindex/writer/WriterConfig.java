package io.tenantindex.writer;

import io.tenantindex.common.ShutdownBudget;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.feed.FeedConfig;
import io.tenantindex.common.http.BearerAuth;
import io.tenantindex.common.http.HttpServers;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.schemas.registry.RegistryClientConfig;
import io.tenantindex.writer.status.StatusConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Everything the index-writer needs, parsed once and validated at start.
 *
 * @param registry      how to reach the schema registry (URLs, auth, TLS) and whether to auto-register
 * @param writerId      stable identity of the primary; the transactional.id derives from it, so a
 *                      second writer with the same id fences the first
 * @param maxBatch      most writes committed in one Kafka transaction (group commit)
 * @param maxImportBytes largest NDJSON body {@code POST /tenants:import} accepts
 * @param kafkaTimeout  how long a write may wait for Kafka (delivery timeout) before it fails with 503
 *                      and the writer recovers; also bounds how long a send may block
 * @param status        the status page's colos ({@code writer.colo.urls}) and poll timeout
 * @param auth          the writer and admin bearer tokens (writes need one; import needs admin)
 * @param election      whether writers with this id elect their active one through Kafka (otherwise the
 *                      newest writer claims the transactional.id and fences the older)
 * @param electionSessionTimeout how long the leader may stay silent before a standby takes over
 * @param advertisedUrl where standbys redirect writes while this writer leads; null: http://host:port
 * @param shutdownTimeout how long the whole stop may take (HTTP, the writer thread and producer, the election)
 * @param feed          how {@code GET /changes} is served
 */
public record WriterConfig(
        KafkaSettings kafka,
        TopicsConfig topics,
        RegistryClientConfig registry,
        String writerId,
        String httpHost,
        int httpPort,
        int maxBatch,
        long maxBodyBytes,
        long maxImportBytes,
        Duration kafkaTimeout,
        StatusConfig status,
        BearerAuth auth,
        boolean election,
        Duration electionSessionTimeout,
        String advertisedUrl,
        Duration shutdownTimeout,
        FeedConfig feed) {

    public static final int DEFAULT_PORT = ConfigKeys.DEFAULT_WRITER_PORT;

    public static WriterConfig from(Settings s) {
        return new WriterConfig(
                KafkaSettings.from(s),
                TopicsConfig.from(s),
                RegistryClientConfig.from(s),
                s.string(ConfigKeys.WRITER_ID, "primary"),
                s.string(ConfigKeys.HTTP_HOST, "0.0.0.0"),
                s.intValue(ConfigKeys.HTTP_PORT, DEFAULT_PORT, 0, 65_535),
                s.intValue(ConfigKeys.WRITER_MAX_BATCH, 5_000, 1, 100_000),
                HttpServers.DEFAULT_MAX_BODY_BYTES,
                s.longValue(ConfigKeys.WRITER_MAX_IMPORT_BYTES, 256L * 1024 * 1024, 1024, 4L * 1024 * 1024 * 1024),
                Duration.ofMillis(s.longValue(ConfigKeys.WRITER_KAFKA_TIMEOUT_MS, 30_000, 1_000, 600_000)),
                StatusConfig.from(s),
                BearerAuth.from(s),
                s.bool(ConfigKeys.WRITER_ELECTION_ENABLED, true),
                // 6 s is the broker's default group.min.session.timeout.ms: the lowest a default broker accepts.
                Duration.ofMillis(s.longValue(ConfigKeys.WRITER_ELECTION_SESSION_TIMEOUT_MS, 6_000, 1_000, 300_000)),
                s.string(ConfigKeys.WRITER_ADVERTISED_URL, null),
                ShutdownBudget.from(s),
                FeedConfig.from(s));
    }

    /** The advertised URL, or http://host:port of the server as started (a wildcard host becomes this host's name). */
    public String advertisedUrl(int boundPort) {
        if (advertisedUrl != null) {
            return advertisedUrl;
        }
        String host = httpHost;
        if (host.equals("0.0.0.0") || host.equals("::")) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        return "http://" + host + ":" + boundPort;
    }

    public String transactionalId() {
        return "tenant-index-writer-" + writerId;
    }
}
