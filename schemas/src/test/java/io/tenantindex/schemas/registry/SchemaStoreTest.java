package io.tenantindex.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.Json;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.TestSchemas;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** How the registry state is rebuilt from its log: deterministic, order-decided, tolerant of foreign records. */
class SchemaStoreTest {
    private static final Schema V1 = TenantRegistration.getClassSchema();
    private static final Schema V2 = TestSchemas.v2();

    private static SchemaStore.Version version(SchemaStore store, String subject, int v, Schema schema) {
        return new SchemaStore.Version(subject, v, store.idFor(schema), SchemaStore.canonical(schema));
    }

    private static void apply(SchemaStore store, SchemaEvents.Entry entry) {
        store.apply(entry.key(), entry.value());
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
        apply(store, SchemaEvents.schema(version(store, "s", 1, V1)));
        // Two instances both appended version 2: every instance applies them in log order.
        apply(store, SchemaEvents.schema(version(store, "s", 2, TestSchemas.incompatibleNewField())));
        apply(store, SchemaEvents.schema(version(store, "s", 2, V2)));

        assertThat(store.versions("s", false).orElseThrow()).extracting(SchemaStore.Version::version).containsExactly(1, 2);
        assertThat(store.find("s", V2, false)).map(SchemaStore.Version::version).contains(2);
        // The loser is gone from the subject, which is how the registering instance learns to retry.
        assertThat(store.find("s", TestSchemas.incompatibleNewField(), false)).isEmpty();
    }

    @Test
    void shouldSkipEventsItDoesNotUnderstand() {
        SchemaStore store = new SchemaStore();
        store.apply("x", Json.MAPPER.createObjectNode().put("keytype", "SCHEMA").put("magic", 1));
        store.apply("x", Json.MAPPER.createObjectNode().put("type", "SCHEMA").put("subject", "s").put("version", 1).put("id", 5)
                .put("schema", "{not avro"));
        store.apply("x", Json.MAPPER.createObjectNode().put("type", "CONFIG").put("compatibility", "SIDEWAYS"));
        apply(store, SchemaEvents.config("s", CompatibilityLevel.FULL));

        assertThat(store.subjects(true)).isEmpty();
        assertThat(store.compatibility(null)).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(store.compatibility("s")).isEqualTo(CompatibilityLevel.FULL);
    }

    @Test
    void shouldHideASoftDeletedVersionButKeepItsIdAndNumber() {
        SchemaStore store = new SchemaStore();
        SchemaStore.Version v1 = version(store, "s", 1, V1);
        apply(store, SchemaEvents.schema(v1));
        apply(store, SchemaEvents.schema(v1.softDeleted()));

        assertThat(store.versions("s", false)).isEmpty();
        assertThat(store.subjects(false)).isEmpty();
        assertThat(store.subjects(true)).containsExactly("s");
        assertThat(store.versions("s", true).orElseThrow()).extracting(SchemaStore.Version::deleted).containsExactly(true);
        assertThat(store.schemaById(v1.id())).contains(v1.schema());
        assertThat(store.find("s", V1, false)).isEmpty();
        assertThat(store.find("s", V1, true)).map(SchemaStore.Version::version).contains(1);
        // Soft-deleted numbers are not reused, and the schema keeps its id when registered again.
        assertThat(store.nextVersion("s")).isEqualTo(2);
        assertThat(store.idFor(V1)).isEqualTo(v1.id());
    }

    @Test
    void shouldForgetAPermanentlyDeletedVersionAndItsIdOnATombstone() {
        SchemaStore store = new SchemaStore();
        SchemaStore.Version v1 = version(store, "s", 1, V1);
        SchemaStore.Version shared = version(store, "t", 1, V2);
        apply(store, SchemaEvents.schema(v1));
        apply(store, SchemaEvents.schema(shared));
        apply(store, SchemaEvents.schema(new SchemaStore.Version("s", 2, shared.id(), shared.schema())));
        apply(store, SchemaEvents.schema(v1.softDeleted()));

        apply(store, SchemaEvents.permanentDelete("s", 1));
        apply(store, SchemaEvents.permanentDelete("t", 1));

        assertThat(store.versions("s", true).orElseThrow()).extracting(SchemaStore.Version::version).containsExactly(2);
        assertThat(store.subjects(true)).containsExactly("s");
        assertThat(store.schemaById(v1.id())).isEmpty();
        // V2 is still held by s version 2.
        assertThat(store.schemaById(shared.id())).contains(shared.schema());
        assertThat(store.versionsWithId(shared.id(), true)).extracting(SchemaStore.Version::subject).containsExactly("s");

        apply(store, SchemaEvents.permanentDelete("s", 2));
        assertThat(store.isEmpty()).isTrue();
        assertThat(store.nextVersion("s")).isEqualTo(1);
    }

    @Test
    void shouldRevertDeletedConfigAndModeToTheirDefaults() {
        SchemaStore store = new SchemaStore();
        apply(store, SchemaEvents.config(null, CompatibilityLevel.FULL));
        apply(store, SchemaEvents.config("a:b", CompatibilityLevel.NONE));
        apply(store, SchemaEvents.mode(null, RegistryMode.READONLY));
        apply(store, SchemaEvents.mode("a:b", RegistryMode.IMPORT));
        assertThat(store.compatibility("a:b")).isEqualTo(CompatibilityLevel.NONE);
        assertThat(store.mode("a:b")).isEqualTo(RegistryMode.IMPORT);
        assertThat(store.mode("other")).isEqualTo(RegistryMode.READONLY);

        apply(store, SchemaEvents.deleteConfig("a:b"));
        apply(store, SchemaEvents.deleteMode("a:b"));
        assertThat(store.subjectCompatibility("a:b")).isEmpty();
        assertThat(store.compatibility("a:b")).isEqualTo(CompatibilityLevel.FULL);
        assertThat(store.mode("a:b")).isEqualTo(RegistryMode.READONLY);

        apply(store, SchemaEvents.deleteConfig(null));
        apply(store, SchemaEvents.deleteMode(null));
        assertThat(store.compatibility(null)).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(store.mode(null)).isEqualTo(RegistryMode.READWRITE);
    }

    @Test
    void shouldParseKeysWhoseSubjectContainsColons() {
        assertThat(SchemaEvents.Key.parse(SchemaEvents.permanentDelete(":.ctx:orders-value", 12).key()))
                .isEqualTo(new SchemaEvents.Key(SchemaEvents.SCHEMA, ":.ctx:orders-value", 12));
        assertThat(SchemaEvents.Key.parse(SchemaEvents.deleteConfig(null).key()))
                .isEqualTo(new SchemaEvents.Key(SchemaEvents.CONFIG, null, 0));
        assertThat(SchemaEvents.Key.parse("garbage").type()).isEmpty();
        assertThat(SchemaEvents.Key.parse("SCHEMA:s:x").type()).isEmpty();
    }

    @Test
    void shouldServeTheImportedIdOfASchemaAsItsId() {
        SchemaStore store = new SchemaStore();
        apply(store, SchemaEvents.schema(new SchemaStore.Version("s", 7, 42, SchemaStore.canonical(V1))));

        assertThat(store.idFor(V1)).isEqualTo(42);
        assertThat(store.nextVersion("s")).isEqualTo(8);
        assertThat(store.allVersions(false, true)).extracting(SchemaStore.Version::id).containsExactly(42);
    }

    @Test
    void shouldKeepAReferencingVersionThatCompactionMovedBeforeWhatItReferences() {
        SchemaStore source = new SchemaStore();
        SchemaStore.Version address = version(source, "address", 1, TestSchemas.address());
        apply(source, SchemaEvents.schema(address));
        var ref = new SchemaReferences.Reference("io.tenantindex.test.Address", "address", 1);
        SchemaReferences.Resolved customer = source.resolve(TestSchemas.customerText(), List.of(ref));
        SchemaStore.Version customerVersion = new SchemaStore.Version("customer", 1, source.idFor(customer), customer);

        // Replayed with the referencing version first, as after a soft delete of address and compaction.
        SchemaStore replayed = new SchemaStore();
        apply(replayed, SchemaEvents.schema(customerVersion));
        apply(replayed, SchemaEvents.schema(address.softDeleted()));

        assertThat(replayed.versions("customer", false).orElseThrow()).containsExactly(customerVersion);
        assertThat(replayed.parse(customerVersion)).isEqualTo(TestSchemas.customer());
        assertThat(replayed.referencedBy("address", 1)).containsExactly(customerVersion.id());
        assertThat(replayed.find("customer", TestSchemas.customer(), false)).contains(customerVersion);
        assertThat(replayed.idFor(customer)).isEqualTo(customerVersion.id());
        assertThat(customer.canonical()).doesNotContain("\"zip\"");
    }
}
