package io.tenantindex.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/** The test-only schema versions under src/test/resources/avro, and sample v1 records. */
public final class TestSchemas {
    private TestSchemas() {
    }

    /** v1 plus {@code labels: map<string>} with default {}: the BACKWARD-compatible next version. */
    public static Schema v2() {
        return load("TenantRegistration-v2.avsc");
    }

    /** v1 plus a field without a default: incompatible under BACKWARD. */
    public static Schema incompatibleNewField() {
        return load("TenantRegistration-incompatible-new-field.avsc");
    }

    /** v1 with {@code version} changed from long to string: incompatible under BACKWARD. */
    public static Schema incompatibleTypeChange() {
        return load("TenantRegistration-incompatible-type-change.avsc");
    }

    /** A record type that {@link #customerText()} uses through a schema reference. */
    public static Schema address() {
        return load("Address.avsc");
    }

    /** The text of a schema naming {@code io.tenantindex.test.Address} without defining it: registered with a reference. */
    public static String customerText() {
        try (InputStream in = TestSchemas.class.getResourceAsStream("/avro/Customer-with-reference.avsc")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #customerText()} with Address defined in it: the full schema a reader or writer holds. */
    public static Schema customer() {
        return new Schema.Parser().addTypes(List.of(address())).parse(customerText());
    }

    public static Schema load(String name) {
        try (InputStream in = TestSchemas.class.getResourceAsStream("/avro/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test schema " + name);
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TenantRegistration registration(String tenantId, long version) {
        return TenantRegistration.newBuilder()
                .setTenantId(tenantId)
                .setDoId("d0".repeat(32))
                .setColoHint(version % 2 == 0 ? null : "SJC")
                .setVersion(version)
                .setRegisteredAt(1_700_000_000_000L)
                .setUpdatedAt(1_700_000_000_000L + version)
                .setMetadata(TenantMetadata.newBuilder()
                        .setTier(Tier.pro)
                        .setFeatures(List.of("ws", "kv"))
                        .setMaxConnections(100)
                        .setRegion("us")
                        .build())
                .build();
    }

    public static Map<String, String> labels(int i) {
        return Map.of("team", "t" + i, "env", "prod");
    }
}
