package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.TenantIds;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.Tier;
import io.tenantindex.schemas.registry.InMemorySchemaRegistry;
import io.tenantindex.schemas.serde.ConfluentAvroDeserializer;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistrationEncoderTest {
    private static final String TOPIC = "tenant-index";

    private static RegistrationRequest request(String tenantId, String coloHint, Tier tier, List<String> features,
                                               Integer maxConnections, String region) {
        return new RegistrationRequest(tenantId, coloHint, TenantMetadata.newBuilder().setTier(tier).setFeatures(features)
                .setMaxConnections(maxConnections).setRegion(region).build(), 0);
    }

    @Test
    void shouldWriteTheBytesOfTheGenericConfluentSerializer() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(1_000_042);
        RegistrationEncoder encoder = new RegistrationEncoder(registry, true, TOPIC);
        ConfluentAvroSerializer<TenantRegistration> generic = new ConfluentAvroSerializer<>(registry, true, false);
        List<RegistrationRequest> requests = List.of(
                request("acme", "SJC", Tier.pro, List.of("ws", "kv"), 100, "us"),
                request("a", null, Tier.free, List.of(), null, null),
                request("t-" + "x".repeat(126), "c".repeat(128), Tier.enterprise, List.of("é-ü-漢字-😀"), Integer.MAX_VALUE, "eu"),
                request("b", null, Tier.pro, List.of("f".repeat(128)), 0, "r".repeat(128)));
        long[][] writerFields = {{1, 1_740_830_400_000L, 1_740_830_400_000L}, {Long.MAX_VALUE, 0, -1}, {63, 64, Long.MIN_VALUE}};
        for (RegistrationRequest r : requests) {
            RegistrationEncoder.Prepared prepared = encoder.prepare(r);
            assertThat(prepared.doId()).isEqualTo(TenantIds.doIdFor(r.tenantId()));
            for (long[] f : writerFields) {
                TenantRegistration value = new TenantRegistration(r.tenantId(), prepared.doId(), r.coloHint(), f[0], f[1], f[2], r.metadata());
                byte[] bytes = RegistrationEncoder.complete(prepared, f[0], f[1], f[2]);
                assertThat(bytes).isEqualTo(generic.serialize(TOPIC, value));
                assertThat(ConfluentAvroDeserializer.<TenantRegistration>specific(registry, TenantRegistration.getClassSchema())
                        .deserialize(TOPIC, bytes)).isEqualTo(value);
            }
        }
    }

    @Test
    void shouldRefuseAsUnavailableUntilTheRegistryKnowsTheSchema() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(7);
        RegistrationEncoder lookupOnly = new RegistrationEncoder(registry, false, TOPIC);
        RegistrationRequest r = request("acme", null, Tier.free, List.of(), null, null);
        assertThatThrownBy(() -> lookupOnly.prepare(r)).isInstanceOfSatisfying(TenantIndexException.class,
                e -> assertThat(e.type()).isEqualTo(ErrorType.UNAVAILABLE));
        int id = registry.register(ConfluentAvroSerializer.subjectFor(TOPIC, false), TenantRegistration.getClassSchema());
        byte[] bytes = RegistrationEncoder.complete(lookupOnly.prepare(r), 1, 2, 3);
        assertThat(bytes[4]).isEqualTo((byte) id);
    }

    @Test
    void shouldRefuseAsUnavailableWhileTheRegistryIsUnreachable() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(9);
        RegistrationEncoder encoder = new RegistrationEncoder(registry, true, TOPIC);
        RegistrationRequest r = request("acme", null, Tier.free, List.of(), null, null);
        registry.unreachable(true);
        assertThatThrownBy(() -> encoder.prepare(r)).isInstanceOfSatisfying(TenantIndexException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
        });
        registry.unreachable(false);
        byte[] bytes = RegistrationEncoder.complete(encoder.prepare(r), 1, 2, 3);
        assertThat(bytes[4]).isEqualTo((byte) registry.lookupId(ConfluentAvroSerializer.subjectFor(TOPIC, false),
                TenantRegistration.getClassSchema()));
    }
}
