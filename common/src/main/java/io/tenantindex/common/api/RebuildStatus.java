package io.tenantindex.common.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A colo's blue/green rebuild ({@code POST/GET /admin/rebuild}, and inside /stats and /health).
 *
 * @param state      running, done, or failed (it timed out or its replay failed; the serving generation stays)
 * @param startedAt  ISO-8601
 * @param finishedAt ISO-8601, null while it runs
 * @param percent    records applied by the new generation against those the serving one had (an estimate)
 * @param etaSeconds null while unknown
 * @param error      why it failed; only when failed
 */
public record RebuildStatus(long generation, String state, String startedAt, String finishedAt, long recordsApplied,
                            long recordsExpected, double percent, double recordsPerSecond, Long etaSeconds,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String error) {
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    public boolean done() {
        return DONE.equals(state);
    }

    public boolean failed() {
        return FAILED.equals(state);
    }
}
