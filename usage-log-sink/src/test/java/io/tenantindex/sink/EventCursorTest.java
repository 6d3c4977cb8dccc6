package io.tenantindex.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EventCursorTest {
    @Test
    void shouldKeepTheWireEncodingOfCursorsAlreadyHandedOut() {
        // As the sink has always encoded it (the README's walk-through shows this one).
        assertThat(new EventCursor("acme", 0, 3).encode()).isEqualTo("djE6MDozOmFjbWU");
        assertThat(EventCursor.decode("djE6MDozOmFjbWU", "acme")).isEqualTo(new EventCursor("acme", 0, 3));
    }

    @Test
    void shouldRejectCursorsThisApiDidNotReturnOrThatBelongToAnotherTenant() {
        String negative = Base64.getUrlEncoder().encodeToString("v1:0:-1:acme".getBytes(StandardCharsets.UTF_8));
        String otherVersion = Base64.getUrlEncoder().encodeToString("v2:0:1:acme".getBytes(StandardCharsets.UTF_8));
        for (String bad : new String[] {"%%%", "", negative, otherVersion, "djE6MDoz"}) {
            assertThatThrownBy(() -> EventCursor.decode(bad, "acme")).as(bad)
                    .isInstanceOfSatisfying(TenantIndexException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.BAD_REQUEST))
                    .hasMessage("cursor is not one this API returned");
        }
        assertThatThrownBy(() -> EventCursor.decode(new EventCursor("globex", 0, 3).encode(), "acme"))
                .hasMessage("cursor belongs to another tenant");
    }
}
