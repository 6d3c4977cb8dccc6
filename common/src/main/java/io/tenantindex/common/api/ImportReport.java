package io.tenantindex.common.api;

import java.util.List;

/**
 * The answer of {@code POST /tenants:import}: counts over every line, the failed lines (at most a
 * bounded number of them, in line order) and one consistency token covering every line written.
 *
 * @param token also covering the token the request carried; null when nothing was written and it carried none
 */
public record ImportReport(long lines, long written, long failed, List<LineError> errors, String token) {
    public ImportReport {
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /**
     * @param tenantId null when the line did not parse far enough to name one
     * @param error    the error code, as in {@link ErrorBody#error()}
     */
    public record LineError(int line, String tenantId, String error, String message) {
    }
}
