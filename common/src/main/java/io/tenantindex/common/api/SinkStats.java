package io.tenantindex.common.api;

/**
 * The usage-log-sink's {@code GET /stats}.
 *
 * @param processed events processed since this process started
 * @param dropped   events dropped (late beyond the grace period, or undecodable)
 * @param lag       consumer lag over the usage topic; -1 when Kafka cannot say
 */
public record SinkStats(String applicationId, String topic, String streamsState, long processed, long dropped, long lag,
                        long graceMs, long windowRetentionMs) {
}
