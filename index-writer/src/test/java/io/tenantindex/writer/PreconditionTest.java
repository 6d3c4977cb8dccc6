package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import org.junit.jupiter.api.Test;

class PreconditionTest {
    private static void assertFails(Precondition p, long current, ErrorType type) {
        assertThatThrownBy(() -> p.check("acme", current))
                .isInstanceOfSatisfying(TenantIndexException.class, e -> org.assertj.core.api.Assertions.assertThat(e.type()).isEqualTo(type));
    }

    @Test
    void shouldMatchQuotedWeakAndBareEtags() {
        assertThatCode(() -> Precondition.fromHeaders("\"3\"", null, 0).check("acme", 3)).doesNotThrowAnyException();
        assertThatCode(() -> Precondition.fromHeaders("W/\"3\"", null, 0).check("acme", 3)).doesNotThrowAnyException();
        assertThatCode(() -> Precondition.fromHeaders("3", null, 0).check("acme", 3)).doesNotThrowAnyException();
        assertFails(Precondition.fromHeaders("\"2\"", null, 0), 3, ErrorType.PRECONDITION_FAILED);
    }

    @Test
    void shouldImplementStarSemanticsAndBodyVersionConflicts() {
        assertFails(Precondition.fromHeaders("*", null, 0), 0, ErrorType.PRECONDITION_FAILED);
        assertFails(Precondition.fromHeaders(null, "*", 0), 1, ErrorType.PRECONDITION_FAILED);
        assertThatCode(() -> Precondition.fromHeaders(null, "*", 0).check("acme", 0)).doesNotThrowAnyException();
        assertFails(Precondition.fromHeaders(null, null, 4), 5, ErrorType.VERSION_CONFLICT);
        assertThatThrownBy(() -> Precondition.fromHeaders(null, "\"3\"", 0)).hasMessageContaining("If-None-Match");
        assertThatThrownBy(() -> Precondition.fromHeaders("\"0\"", null, 0)).hasMessageContaining("If-Match");
    }
}
