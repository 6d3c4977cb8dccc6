package io.tenantindex.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.common.kafka.TopicsConfig;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.testing.SharedKafka;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A clean restart of a sink whose usage topic has partitions without events: Kafka Streams treats
 * their stores (no checkpoint offset, since nothing was ever written) as corrupted and restores them;
 * the log says so in one line per task, with no warning, error or stack trace (the logback
 * configuration's StreamsRestoreLogFilter).
 */
class SinkRestartLogIT {
    @Test
    void shouldRestartWithOneLinePerRestoredTaskAndNoCorruptionWarnings() {
        String bootstrap = SharedKafka.bootstrapServers();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(KafkaSettings.of(bootstrap),
                TopicsConfig.from(Settings.empty()).schemas(), "127.0.0.1", 0)) {
            Settings settings = Settings.of(Map.of(
                    ConfigKeys.BOOTSTRAP_SERVERS, bootstrap,
                    ConfigKeys.REGISTRY_URL, registry.url(),
                    ConfigKeys.REGISTRY_AUTO_REGISTER, "true",
                    ConfigKeys.USAGE_TOPIC, SharedKafka.uniqueName("usage-restart-log"),
                    ConfigKeys.USAGE_PARTITIONS, "3",
                    ConfigKeys.STATE_DIR, SharedKafka.tempDir("usage-restart-log").toString(),
                    ConfigKeys.SINK_APPLICATION_ID, SharedKafka.uniqueName("usage-restart-log"),
                    ConfigKeys.SINK_HTTP_PORT, "0"));
            startRunAndStop(settings);
            root.addAppender(log);
            startRunAndStop(settings);
        } finally {
            root.detachAppender(log);
        }
        assertThat(log.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("corrupted") || m.contains("did not find checkpoint"));
        assertThat(log.list).allSatisfy(e -> assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull());
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .filteredOn(m -> m.contains("its local state has no checkpoint")).hasSize(3);
    }

    private static void startRunAndStop(Settings settings) {
        try (UsageSink sink = UsageSink.start(SinkConfig.from(settings))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.state() == KafkaStreams.State.RUNNING);
        }
    }
}
