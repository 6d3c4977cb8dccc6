package io.tenantindex.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.Json;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.TestSchemas;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** How the registry state is rebuilt from its log: deterministic, order-decided, tolerant of foreign records. */
class SchemaStoreTest {
    private static final Schema V1 = TenantRegistration.getClassSchema();
    private static final Schema V2 = TestSchemas.v2();

    private static SchemaStore.Version version(SchemaStore store, String subject, int v, Schema schema) {
        return new SchemaStore.Version(subject, v, store.idFor(schema), SchemaStore.canonical(schema));
    }

    @Test
    void shouldGiveTheSameIdToTheSameSchemaInEveryInstance() {
        SchemaStore a = new SchemaStore();
        SchemaStore b = new SchemaStore();

        assertThat(a.idFor(V1)).isEqualTo(b.idFor(V1)).isPositive();
        assertThat(a.idFor(V2)).isNotEqualTo(a.idFor(V1));
    }

    @Test
    void shouldLetTheLaterEventForTheSameVersionWinAsCompactionWould() {
        SchemaStore store = new SchemaStore();
        store.apply(SchemaStore.schemaEvent(version(store, "s", 1, V1)));
        // Two instances both appended version 2: every instance applies them in log order.
        store.apply(SchemaStore.schemaEvent(version(store, "s", 2, TestSchemas.incompatibleNewField())));
        store.apply(SchemaStore.schemaEvent(version(store, "s", 2, V2)));

        assertThat(store.versions("s").orElseThrow()).extracting(SchemaStore.Version::version).containsExactly(1, 2);
        assertThat(store.find("s", V2)).map(SchemaStore.Version::version).contains(2);
        // The loser is gone from the subject, which is how the registering instance learns to retry.
        assertThat(store.find("s", TestSchemas.incompatibleNewField())).isEmpty();
    }

    @Test
    void shouldSkipEventsItDoesNotUnderstand() {
        SchemaStore store = new SchemaStore();
        store.apply(Json.MAPPER.createObjectNode().put("keytype", "SCHEMA").put("magic", 1));
        store.apply(Json.MAPPER.createObjectNode().put("type", "SCHEMA").put("subject", "s").put("version", 1).put("id", 5)
                .put("schema", "{not avro"));
        store.apply(Json.MAPPER.createObjectNode().put("type", "CONFIG").put("compatibility", "SIDEWAYS"));
        store.apply(SchemaStore.configEvent("s", CompatibilityLevel.FULL));

        assertThat(store.subjects()).isEmpty();
        assertThat(store.compatibility(null)).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(store.compatibility("s")).isEqualTo(CompatibilityLevel.FULL);
    }
}
