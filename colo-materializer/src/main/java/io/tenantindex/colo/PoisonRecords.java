package io.tenantindex.colo;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts the index records the colo could not decode and logs each one once, with its coordinates. */
final class PoisonRecords {
    private static final Logger LOG = LoggerFactory.getLogger(PoisonRecords.class);
    private final AtomicLong count = new AtomicLong();

    void record(String topic, int partition, long offset, String key, String error, String dlqTopic) {
        count.incrementAndGet();
        LOG.warn("poison record at {}-{}@{} (key '{}') cannot be decoded, sent to {}: {}",
                topic, partition, offset, key, dlqTopic, error);
    }

    public long count() {
        return count.get();
    }
}
