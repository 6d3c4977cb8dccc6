package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.InMemorySchemaRegistry;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class IndexRecordSerdeTest {
    private static final String TOPIC = "tenant-index";
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry(7);
    private final ConfluentAvroSerializer<TenantRegistration> serializer = new ConfluentAvroSerializer<>(registry, true, false);
    private final IndexRecordSerde serde = new IndexRecordSerde(registry);

    @Test
    void shouldReadStoredValuesAsTheSourceReadsThem() {
        byte[] good = serializer.serialize(TOPIC, Registrations.of("acme", 3));
        byte[] truncated = Arrays.copyOf(good, good.length - 20);
        Deserializer<IndexRecord> source = serde.deserializer();
        Deserializer<IndexRecord> stored = serde.stored().deserializer();

        IndexRecord eager = source.deserialize(TOPIC, good);
        IndexRecord lazy = stored.deserialize(TOPIC, good);
        assertThat(lazy.raw()).isSameAs(good);
        assertThat(lazy.isPoison()).isFalse();
        assertThat(lazy.registration()).isEqualTo(eager.registration());
        assertThat(lazy.error()).isNull();

        IndexRecord poison = stored.deserialize(TOPIC, truncated);
        assertThat(poison.isPoison()).isTrue();
        assertThat(poison.error()).isEqualTo(source.deserialize(TOPIC, truncated).error()).contains("schema id");
        assertThat(stored.deserialize(TOPIC, null)).isNull();
        assertThat(serde.stored().serializer().serialize(TOPIC, lazy)).isSameAs(good);
    }
}
