package io.tenantindex.sink;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips a usage event that cannot be decoded (Streams counts it in dropped-records, the
 * {@link RetryingEventDeserializer} in {@code undecodable}), but fails the stream thread when the
 * schema registry stayed unavailable: skipping then would lose a good event, failing leaves it
 * uncommitted for the replacement thread.
 */
public final class UndecodableEventHandler implements DeserializationExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UndecodableEventHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetryingEventDeserializer.RegistryUnavailableException) {
            LOG.error("usage event at {}-{}@{} not decoded: {}; failing the stream thread so that it is retried",
                    context.topic(), context.partition(), context.offset(), exception.getMessage());
            return Response.fail();
        }
        // Streams logs the skipped record with its coordinates.
        return Response.resume();
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
