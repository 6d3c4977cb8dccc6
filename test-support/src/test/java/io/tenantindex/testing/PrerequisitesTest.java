package io.tenantindex.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class PrerequisitesTest {
    @Test
    void shouldSkipLocallyButFailInCiWhenAPrerequisiteIsMissing() {
        assertThatThrownBy(() -> Prerequisites.require(false, "needs chromium", Map.of()))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining("needs chromium");
        assertThatThrownBy(() -> Prerequisites.require(false, "needs chromium", Map.of("CI", "false")))
                .isInstanceOf(TestAbortedException.class);
        assertThatThrownBy(() -> Prerequisites.require(false, "needs chromium", Map.of("CI", "true")))
                .isInstanceOf(AssertionFailedError.class).hasMessageContaining("needs chromium");
        assertThatCode(() -> Prerequisites.require(true, "needs chromium", Map.of("CI", "true"))).doesNotThrowAnyException();
    }
}
