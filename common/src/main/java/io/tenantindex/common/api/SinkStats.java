package io.tenantindex.common.api;

/**
 * The usage-log-sink's {@code GET /stats}.
 *
 * @param processed events processed since this process started
 * @param dropped   events dropped (late beyond the grace period, or undecodable)
 * @param undecodable        records skipped because no registry could ever decode them (bad magic byte, unknown
 *                           schema id, corrupt Avro)
 * @param registryRetries    decode attempts retried because the registry did not answer
 * @param waitingForRegistry true while decoding waits for the registry to come back
 * @param lag                consumer lag over the usage topic; -1 when Kafka cannot say
 */
public record SinkStats(String applicationId, String topic, String streamsState, long processed, long dropped,
                        long undecodable, long registryRetries, boolean waitingForRegistry, long lag,
                        long graceMs, long windowRetentionMs) {
}
