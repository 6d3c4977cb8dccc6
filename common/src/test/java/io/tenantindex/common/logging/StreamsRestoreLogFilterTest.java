package io.tenantindex.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The filter on the lines Kafka Streams 4.3 really logs when it restarts a task whose empty store has no checkpoint. */
class StreamsRestoreLogFilterTest {
    @Test
    void shouldReplaceTheCorruptionNoiseWithOneLinePerTask() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        StreamsRestoreLogFilter filter = new StreamsRestoreLogFilter();
        filter.start();
        context.addTurboFilter(filter);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        try {
            TaskCorruptedException corrupted = new TaskCorruptedException(Set.of(new TaskId(0, 2)));
            for (String task : new String[] {"0_2", "0_2", "0_1"}) {
                context.getLogger("org.apache.kafka.streams.processor.internals.ProcessorStateManager").warn("stream-thread [s-1] "
                        + "stream-task [{}] State store {} did not find checkpoint offsets while stores are not empty, since under "
                        + "EOS it has the risk of getting uncommitted data in stores we have to treat it as a task corruption error "
                        + "and wipe out the local state of task {} before re-bootstrapping", task, "usage-per-minute", task);
            }
            context.getLogger("org.apache.kafka.streams.processor.internals.StateDirectory")
                    .warn("Failed to register startup state stores for task {}: {}", "0_2", corrupted.getMessage());
            context.getLogger("org.apache.kafka.streams.processor.internals.TaskManager")
                    .warn("stream-thread [s-1] Encounter corrupted task 0_2, will group it with other corrupted tasks and handle together", corrupted);
            context.getLogger("org.apache.kafka.streams.processor.internals.TaskManager").error(
                    "stream-thread [s-1] Get exceptions for the following tasks: {}", Map.of("0_2", corrupted));
            context.getLogger("org.apache.kafka.streams.processor.internals.StreamThread").warn("stream-thread [s-1] Detected the "
                    + "states of tasks [0_2, 0_1] are corrupted. Will close the task as dirty and re-create and bootstrap from scratch.", corrupted);
            // Not noise: another warning of the same classes, and the same words from elsewhere.
            context.getLogger("org.apache.kafka.streams.processor.internals.StreamThread").warn("stream-thread [s-1] some other trouble");
            context.getLogger("io.tenantindex.colo").warn("Encounter corrupted task is our own words here");
            context.getLogger("org.apache.kafka.streams.processor.internals.TaskManager").error(
                    "stream-thread [s-1] Get exceptions for the following tasks: {}", new TreeMap<>(Map.of("0_2", corrupted, "0_3", new IllegalStateException("disk"))));

            assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "stream task 0_2: its local state has no checkpoint (a partition without data yet, or the last stop was not "
                            + "clean); Kafka Streams wipes it and restores it from the changelog",
                    "stream task 0_1: its local state has no checkpoint (a partition without data yet, or the last stop was not "
                            + "clean); Kafka Streams wipes it and restores it from the changelog",
                    "stream-thread [s-1] some other trouble",
                    "Encounter corrupted task is our own words here",
                    "stream-thread [s-1] Get exceptions for the following tasks: {0_2=" + corrupted + ", 0_3=java.lang.IllegalStateException: disk}");
            assertThat(appender.list).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
        } finally {
            root.detachAppender(appender);
            context.getTurboFilterList().remove(filter);
        }
    }
}
