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
        assertThat(TenantIds.isValid("_acme")).isFalse();
        assertThat(TenantIds.isValid("Z9")).isTrue();
        assertThat(TenantIds.isValid("acmé")).isFalse();
        assertThat(TenantIds.isValid("acme/x")).isFalse();
        assertThat(TenantIds.isValid("")).isFalse();
        assertThat(TenantIds.isValid(null)).isFalse();
    }

    @Test
    void shouldDeriveAStable64HexDoId() {
        assertThat(TenantIds.doIdFor("acme")).hasSize(64).matches("[0-9a-f]+").isEqualTo(TenantIds.doIdFor("acme"));
        assertThat(TenantIds.doIdFor("acme")).isNotEqualTo(TenantIds.doIdFor("acme2"));
        // Pinned: every colo and every release must route a tenant to the same object. This is
        // sha256("tenant-index/do/v1:newco"), the README walk-through's value.
        assertThat(TenantIds.doIdFor("newco")).isEqualTo("5c62152e9977d210f80946c591334229bd6169460a32cfdf631b0666ce19ccdb");
    }
}
