package io.tenantindex.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TenantIdsTest {
    @Test
    void shouldAcceptOnlyTheDocumentedAlphabetAndLength() {
        assertThat(TenantIds.isValid("acme")).isTrue();
        assertThat(TenantIds.isValid("a.b_c-9")).isTrue();
        assertThat(TenantIds.isValid("a".repeat(128))).isTrue();
        assertThat(TenantIds.isValid("a".repeat(129))).isFalse();
        assertThat(TenantIds.isValid("-acme")).isFalse();
        assertThat(TenantIds.isValid("../etc")).isFalse();
        assertThat(TenantIds.isValid("a b")).isFalse();
        assertThat(TenantIds.isValid("")).isFalse();
        assertThat(TenantIds.isValid(null)).isFalse();
    }

    @Test
    void shouldDeriveAStable64HexDoId() {
        assertThat(TenantIds.doIdFor("acme")).hasSize(64).matches("[0-9a-f]+").isEqualTo(TenantIds.doIdFor("acme"));
        assertThat(TenantIds.doIdFor("acme")).isNotEqualTo(TenantIds.doIdFor("acme2"));
    }
}
