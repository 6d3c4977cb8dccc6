package io.tenantindex.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Turns Kafka Streams' "task corrupted" noise into one line per task. Under exactly-once, a store
 * whose changelog partition never had a record has no offset in the task's checkpoint file (Streams
 * writes none for it), so every restart finds a non-empty store without a checkpoint and treats the
 * task as corrupted: five warnings and errors with three stack traces, then it wipes the store and
 * restores it from the changelog — the right thing, and the same after an unclean stop. This filter
 * drops those lines and logs, once per task and process, what happened instead.
 *
 * <p>Installed by each service's logback configuration ({@code <turboFilter class="…"/>}).
 */
public final class StreamsRestoreLogFilter extends TurboFilter {
    private static final String STREAMS_INTERNALS = "org.apache.kafka.streams.processor.internals.";
    /** Distinctive parts of the lines Kafka Streams logs while it handles a TaskCorruptedException. */
    private static final List<String> CORRUPTION_LINES = List.of(
            "did not find checkpoint offsets while stores are not empty",
            "are corrupted and hence need to be re-initialized",
            "Encounter corrupted task",
            "are corrupted. Will close the task as dirty");
    private static final String MISSING_CHECKPOINT = CORRUPTION_LINES.get(0);
    private static final String TASK_CORRUPTED = "org.apache.kafka.streams.errors.TaskCorruptedException";
    private static final Pattern TASK = Pattern.compile("local state of task (\\d+_\\d+)");
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("io.tenantindex.streams");

    private final Set<String> explained = ConcurrentHashMap.newKeySet();

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null || !level.isGreaterOrEqual(Level.WARN) || !logger.getName().startsWith(STREAMS_INTERNALS)) {
            return FilterReply.NEUTRAL;
        }
        String message = MessageFormatter.arrayFormat(format, params).getMessage();
        if (CORRUPTION_LINES.stream().noneMatch(message::contains) || !onlyCorruptions(params)) {
            return FilterReply.NEUTRAL;
        }
        Matcher task = TASK.matcher(message);
        if (message.contains(MISSING_CHECKPOINT) && task.find() && explained.add(task.group(1))) {
            LOG.info("stream task {}: its local state has no checkpoint (a partition without data yet, or the last stop "
                    + "was not clean); Kafka Streams wipes it and restores it from the changelog", task.group(1));
        }
        return FilterReply.DENY;
    }

    /** A line that reports several tasks' exceptions (task → exception) is noise only if every one is a corruption. */
    private static boolean onlyCorruptions(Object[] params) {
        if (params == null) {
            return true;
        }
        for (Object param : params) {
            if (param instanceof Map<?, ?> byTask
                    && !byTask.values().stream().allMatch(e -> e != null && e.getClass().getName().equals(TASK_CORRUPTED))) {
                return false;
            }
        }
        return true;
    }
}
