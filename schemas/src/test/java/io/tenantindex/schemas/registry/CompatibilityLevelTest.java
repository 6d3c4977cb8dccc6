package io.tenantindex.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.TestSchemas;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Confluent's levels on top of Avro's reader/writer rules, with the project's own schema versions. */
class CompatibilityLevelTest {
    private static final Schema V1 = TenantRegistration.getClassSchema();
    private static final Schema V2 = TestSchemas.v2();

    @Test
    void backwardShouldAllowAddingAFieldWithADefault() {
        assertThat(CompatibilityLevel.BACKWARD.allows(V2, List.of(V1))).isTrue();
    }

    @Test
    void backwardShouldRejectAFieldWithoutADefaultAndATypeChange() {
        assertThat(CompatibilityLevel.BACKWARD.allows(TestSchemas.incompatibleNewField(), List.of(V1))).isFalse();
        assertThat(CompatibilityLevel.BACKWARD.allows(TestSchemas.incompatibleTypeChange(), List.of(V1))).isFalse();
    }

    @Test
    void backwardShouldAllowRemovingAFieldButForwardShouldNotWhenItHasNoDefault() {
        // v1 as the "new" schema after v2 drops labels (which has a default): both directions read.
        assertThat(CompatibilityLevel.FULL.allows(V1, List.of(V2))).isTrue();
        // Dropping the new field "owner" (no default) is fine for new readers, not for old ones.
        assertThat(CompatibilityLevel.BACKWARD.allows(V1, List.of(TestSchemas.incompatibleNewField()))).isTrue();
        assertThat(CompatibilityLevel.FORWARD.allows(V1, List.of(TestSchemas.incompatibleNewField()))).isFalse();
    }

    @Test
    void nonTransitiveLevelsShouldLookOnlyAtTheLatestVersion() {
        // v1 can read records of the latest version (it just skips "owner"), but not those of the
        // older type-changed version: only the transitive level looks that far back.
        List<Schema> history = List.of(TestSchemas.incompatibleTypeChange(), TestSchemas.incompatibleNewField());
        assertThat(CompatibilityLevel.BACKWARD.allows(V1, history)).isTrue();
        assertThat(CompatibilityLevel.BACKWARD_TRANSITIVE.allows(V1, history)).isFalse();
    }

    @Test
    void noneShouldAllowAnything() {
        assertThat(CompatibilityLevel.NONE.allows(TestSchemas.incompatibleTypeChange(), List.of(V1))).isTrue();
    }
}
