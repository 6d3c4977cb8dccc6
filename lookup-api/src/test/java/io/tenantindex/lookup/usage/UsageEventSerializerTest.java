package io.tenantindex.lookup.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.schemas.LookupOutcome;
import io.tenantindex.schemas.UsageEvent;
import io.tenantindex.schemas.registry.InMemorySchemaRegistry;
import io.tenantindex.schemas.serde.ConfluentAvroDeserializer;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class UsageEventSerializerTest {
    private static final String TOPIC = "tenant-usage";

    private static UsageEvent event(String tenantId, LookupOutcome outcome, long latencyMicros, long timestamp, String requestId) {
        return new UsageEvent(tenantId, "ORD", outcome, latencyMicros, timestamp, requestId);
    }

    @Test
    void shouldWriteTheBytesOfTheGenericConfluentSerializer() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(1_000_042);
        UsageEventSerializer direct = new UsageEventSerializer(registry, true);
        ConfluentAvroSerializer<UsageEvent> generic = new ConfluentAvroSerializer<>(registry, true, false);
        List<UsageEvent> events = List.of(
                event("acme", LookupOutcome.hit, 42, 1_740_830_400_000L, "req-1"),
                event("", LookupOutcome.miss, 0, 0, ""),
                event("tenant-é-ü-漢字-😀", LookupOutcome.not_ready, -1, -1_740_830_400_000L, "8f14e45f-ceea-467f-a0e6-2b1f8c1b9c5d"),
                event("x".repeat(300), LookupOutcome.error, Long.MAX_VALUE, Long.MIN_VALUE, "y".repeat(20_000)),
                event("t", LookupOutcome.hit, 63, 64, "r"));
        for (UsageEvent e : events) {
            byte[] bytes = direct.serialize(TOPIC, e);
            assertThat(bytes).isEqualTo(generic.serialize(TOPIC, e));
            assertThat(ConfluentAvroDeserializer.<UsageEvent>specific(registry, UsageEvent.getClassSchema()).deserialize(TOPIC, bytes))
                    .isEqualTo(e);
        }
    }

    @Test
    void shouldLookTheSchemaUpWhenNotRegisteringAndFailUntilItIsRegistered() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(7);
        UsageEventSerializer lookupOnly = new UsageEventSerializer(registry, false);
        UsageEvent e = event("acme", LookupOutcome.hit, 1, 2, "req");
        assertThatThrownBy(() -> lookupOnly.serialize(TOPIC, e)).isInstanceOf(SerializationException.class);

        int id = registry.register(ConfluentAvroSerializer.subjectFor(TOPIC, false), UsageEvent.getClassSchema());
        byte[] bytes = lookupOnly.serialize(TOPIC, e);
        assertThat(bytes).startsWith(0, 0, 0, 0, id);
        assertThat(lookupOnly.serialize(TOPIC, null)).isNull();
    }
}
