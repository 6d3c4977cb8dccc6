package io.tenantindex.common.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tenantindex.protocol.TenantEntry;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The body of {@code PUT /tenants/{id}} and one line of {@code POST /tenants:import}, as clients
 * (the CLI, {@code up}'s demo tenants) write it. The writer validates it field by field itself,
 * strictly, against {@link #FIELDS} and {@link #METADATA_FIELDS}, which come from these records:
 * a renamed field is then a change on both sides.
 *
 * @param tenantId        required on an import line, optional in a PUT (the path names the tenant)
 * @param coloHint        null when the tenant has none
 * @param expectedVersion null: unconditional; a mismatch is 409
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegistrationBody(String tenantId, String coloHint, TenantEntry.Metadata metadata, Long expectedVersion) {
    /** The body's field names. */
    public static final Set<String> FIELDS = componentNames(RegistrationBody.class);
    /** The field names of its {@code metadata}. */
    public static final Set<String> METADATA_FIELDS = componentNames(TenantEntry.Metadata.class);

    /** A PUT body: the tenant id stays in the path. */
    public static RegistrationBody of(String coloHint, String tier, List<String> features, Integer maxConnections, String region) {
        return new RegistrationBody(null, coloHint, new TenantEntry.Metadata(tier, features, maxConnections, region), null);
    }

    private static Set<String> componentNames(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(c -> c.getName()).collect(Collectors.toUnmodifiableSet());
    }
}
