package io.tenantindex.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpServersTest {
    @Test
    void shouldAcceptOnlyTwoHexDigitPercentEscapesInPaths() {
        assertThat(HttpServers.wellFormedEscapes("/tenants/acme")).isTrue();
        assertThat(HttpServers.wellFormedEscapes("/tenants/a%20b%2F%aF")).isTrue();
        assertThat(HttpServers.wellFormedEscapes("/usage/;%")).isFalse();
        assertThat(HttpServers.wellFormedEscapes("/tenants/%2")).isFalse();
        assertThat(HttpServers.wellFormedEscapes("/tenants/%zz")).isFalse();
        assertThat(HttpServers.wellFormedEscapes("/tenants/%%41")).isFalse();
        // A path as long as Jetty allows is checked in one pass, without the recursion a regex would need.
        assertThat(HttpServers.wellFormedEscapes("/" + "a".repeat(100_000))).isTrue();
    }
}
