package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.colo.IndexReplica.EncodedEntry;
import io.tenantindex.schemas.TenantJson;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.Tier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EncodedEntryTest {
    static Stream<TenantRegistration> registrations() {
        TenantRegistration full = Registrations.of("acme", 3);
        TenantRegistration bare = TenantRegistration.newBuilder(full)
                .setColoHint(null)
                .setMetadata(TenantMetadata.newBuilder().setTier(Tier.free).setFeatures(List.of())
                        .setMaxConnections(null).setRegion(null).build())
                .build();
        TenantRegistration escaped = TenantRegistration.newBuilder(full)
                .setTenantId("t\"quote\\back")
                .setMetadata(TenantMetadata.newBuilder().setTier(Tier.enterprise)
                        .setFeatures(List.of("ws", "ü-umlaut", "😀", "tab\tnew\nline", "\u0001"))
                        .setMaxConnections(Integer.MAX_VALUE).setRegion("eu-west \u2028").build())
                .setVersion(Long.MAX_VALUE)
                .setRegisteredAt(0)
                .setUpdatedAt(-1)
                .build();
        return Stream.of(full, bare, escaped);
    }

    @ParameterizedTest
    @MethodSource("registrations")
    void writesTheBytesTheMapperWritesForTheContractEntry(TenantRegistration registration) {
        EncodedEntry viaMapper = EncodedEntry.of(TenantJson.of(registration));

        EncodedEntry streamed = EncodedEntry.of(registration);

        assertThat(new String(streamed.json(), StandardCharsets.UTF_8)).isEqualTo(new String(viaMapper.json(), StandardCharsets.UTF_8));
        assertThat(streamed.json()).isEqualTo(viaMapper.json());
        assertThat(streamed.version()).isEqualTo(registration.getVersion());
    }
}
