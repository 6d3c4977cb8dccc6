package io.tenantindex.common.feed;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.time.Duration;

/**
 * How a process serves {@code GET /changes}.
 *
 * @param ringCapacity changes kept in memory for live feeds and recent resumes (shared by all feeds)
 * @param maxBehind    how many changes a feed may fall behind the newest before it is cut off with
 *                     its resume token (a slow consumer costs a cursor, never a buffer that grows)
 * @param heartbeat    an SSE comment this often on a stream with nothing else to send
 * @param maxWait      the largest long-poll {@code wait}; a larger one is capped
 */
public record FeedConfig(int ringCapacity, int maxBehind, Duration heartbeat, Duration maxWait) {
    public FeedConfig {
        if (maxBehind > ringCapacity) {
            throw new ConfigException(ConfigKeys.FEED_MAX_BEHIND + " (" + maxBehind + ") must not exceed "
                    + ConfigKeys.FEED_RING_CAPACITY + " (" + ringCapacity + ")");
        }
    }

    public static FeedConfig from(Settings s) {
        return new FeedConfig(
                s.intValue(ConfigKeys.FEED_RING_CAPACITY, 20_000, 1, 10_000_000),
                s.intValue(ConfigKeys.FEED_MAX_BEHIND, 10_000, 1, 10_000_000),
                Duration.ofMillis(s.longValue(ConfigKeys.FEED_HEARTBEAT_MS, 15_000, 10, 3_600_000)),
                Duration.ofMillis(s.longValue(ConfigKeys.FEED_MAX_WAIT_MS, 30_000, 0, 600_000)));
    }
}
