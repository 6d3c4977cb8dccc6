package io.tenantindex.common.api;

/**
 * A colo's blue/green rebuild ({@code POST/GET /admin/rebuild}, and inside /stats and /health).
 *
 * @param state      running or done
 * @param startedAt  ISO-8601
 * @param finishedAt ISO-8601, null while it runs
 * @param percent    records applied by the new generation against those the serving one had (an estimate)
 * @param etaSeconds null while unknown
 */
public record RebuildStatus(long generation, String state, String startedAt, String finishedAt, long recordsApplied,
                            long recordsExpected, double percent, double recordsPerSecond, Long etaSeconds) {
    public static final String DONE = "done";

    public boolean done() {
        return DONE.equals(state);
    }
}
