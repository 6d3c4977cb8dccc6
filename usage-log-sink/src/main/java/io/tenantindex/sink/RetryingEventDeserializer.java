package io.tenantindex.sink;

import io.tenantindex.schemas.UsageEvent;
import io.tenantindex.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's usage-event deserializer in Kafka Streams. It tells a record that cannot be decoded
 * (bad magic byte, a schema id the registry does not know, corrupt Avro), which is counted and
 * skipped by {@link UndecodableEventHandler}, from a record whose writer schema the registry could
 * not give (unreachable, 5xx, timeout, refused credentials): that record may be fine, so decoding
 * it is retried with backoff until the registry answers. After {@code patience} it gives up with
 * {@link RegistryUnavailableException}: the stream thread then fails without committing the record
 * and its replacement retries from the last commit, so no event is lost or counted twice. The
 * registry is asked once per schema id and process, so only a (re)start or a new id ever waits.
 */
final class RetryingEventDeserializer implements Deserializer<UsageEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingEventDeserializer.class);
    private static final long BACKOFF_MS = 200;
    private static final long BACKOFF_MAX_MS = 5_000;

    private final Deserializer<UsageEvent> decoder;
    private final Duration patience;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicLong registryRetries = new AtomicLong();
    private volatile boolean waitingForRegistry;

    RetryingEventDeserializer(Deserializer<UsageEvent> decoder, Duration patience) {
        this.decoder = decoder;
        this.patience = patience;
    }

    @Override
    public UsageEvent deserialize(String topic, byte[] data) {
        long deadline = System.nanoTime() + patience.toNanos();
        long backoffMs = BACKOFF_MS;
        while (true) {
            try {
                UsageEvent event = decoder.deserialize(topic, data);
                waitingForRegistry = false;
                return event;
            } catch (SerializationException e) {
                if (!registryUnavailable(e)) {
                    waitingForRegistry = false;
                    undecodable.incrementAndGet();
                    throw e;
                }
                waitingForRegistry = true;
                registryRetries.incrementAndGet();
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs) - deadline > 0) {
                    throw new RegistryUnavailableException("the schema registry did not answer within " + patience, e);
                }
                LOG.warn("cannot decode a usage event while the schema registry is unavailable; retrying in {} ms: {}",
                        backoffMs, e.getMessage());
                if (pause(backoffMs)) {
                    throw new RegistryUnavailableException("the sink is stopping while the schema registry is unavailable", e);
                }
                backoffMs = Math.min(2 * backoffMs, BACKOFF_MAX_MS);
            }
        }
    }

    /** Waits {@code ms}; true if the sink started stopping meanwhile. */
    private boolean pause(long ms) {
        try {
            return stopping.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /**
     * True if {@code e} means the registry gave no answer about the schema id, as opposed to a
     * definitive one (the id is unknown, the schema unusable) or a fault of the record itself.
     */
    static boolean registryUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException r) {
                return r.retriable() || r.httpStatus() == 401 || r.httpStatus() == 403;
            }
        }
        return false;
    }

    /** Ends any wait at once: the sink is closing, and the record is left for the next start. */
    void stop() {
        stopping.countDown();
    }

    long undecodable() {
        return undecodable.get();
    }

    long registryRetries() {
        return registryRetries.get();
    }

    boolean waitingForRegistry() {
        return waitingForRegistry;
    }

    /** The registry stayed unavailable: the record was neither decoded nor skipped. */
    static final class RegistryUnavailableException extends RuntimeException {
        RegistryUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
