package io.tenantindex.common.api;

import java.util.List;

/**
 * The answer of {@code POST /tenants:import}: counts over every line, the failed lines (at most a
 * bounded number of them, in line order) and the consistency token of the last write.
 *
 * @param token null when nothing was written
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
