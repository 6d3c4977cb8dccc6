package io.tenantindex.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ConsistencyTokenTest {
    @Test
    void shouldRoundTripAsUrlSafeOpaqueText() {
        ConsistencyToken token = new ConsistencyToken("tenant-index", 5, 1_234_567_890_123L);
        String encoded = token.encode();
        assertThat(encoded).matches("[A-Za-z0-9_-]+");
        assertThat(ConsistencyToken.decode(encoded, "tenant-index")).isEqualTo(token);
    }

    @Test
    void shouldKeepTheWireEncodingOfTokensAlreadyHandedOut() {
        // Tokens as the writer has always encoded them (the README's walk-through shows these two).
        assertThat(new ConsistencyToken("tenant-index", 1, 2).encode()).isEqualTo("djE6dGVuYW50LWluZGV4OjE6Mg");
        assertThat(ConsistencyToken.decode("djE6dGVuYW50LWluZGV4OjE6Ng", "tenant-index"))
                .isEqualTo(new ConsistencyToken("tenant-index", 1, 6));
    }

    @Test
    void shouldRejectMalformedAndForeignTokensAsInvalidToken() {
        String foreign = new ConsistencyToken("other-topic", 0, 1).encode();
        String garbage = Base64.getUrlEncoder().encodeToString("v1:tenant-index:x:1".getBytes(StandardCharsets.UTF_8));
        String negative = Base64.getUrlEncoder().encodeToString("v1:tenant-index:0:-4".getBytes(StandardCharsets.UTF_8));
        for (String bad : new String[] {"%%%", "", foreign, garbage, negative, "djE6dGVuYW50LWluZGV4"}) {
            assertThatThrownBy(() -> ConsistencyToken.decode(bad, "tenant-index"))
                    .as(bad)
                    .isInstanceOfSatisfying(TenantIndexException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.INVALID_TOKEN));
        }
    }
}
