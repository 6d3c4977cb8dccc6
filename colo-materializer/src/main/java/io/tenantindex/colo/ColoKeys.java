package io.tenantindex.colo;

/**
 * Configuration keys of a colo that {@code io.tenantindex.common.config.ConfigKeys} does not have
 * (yet). Same naming rule: {@code colo.app.id.suffix} = flag {@code --colo-app-id-suffix} = env
 * {@code TENANT_INDEX_COLO_APP_ID_SUFFIX}.
 */
public final class ColoKeys {
    /** Appended to {@code tenant-index-colo-<COLO>}, so tests (or a blue/green rebuild) get their own group. */
    public static final String APP_ID_SUFFIX = "colo.app.id.suffix";
    /** Dead-letter topic for records the colo cannot decode; default {@code <index-topic>.dlq.<COLO>}. */
    public static final String DLQ_TOPIC = "colo.dlq.topic";
    /** How often the colo asks Kafka for end offsets (lag, staleness, degraded detection). */
    public static final String REFRESH_INTERVAL_MS = "colo.refresh.interval.ms";
    /**
     * Static group membership ({@code group.instance.id}, default true): a restarted instance takes its
     * partitions back without a rebalance, also after a crash. false only to compare (the bench).
     */
    public static final String STATIC_MEMBERSHIP = "colo.static.membership";
    /** Answer lookups from a restoring (not yet caught up) replica, marking each response stale. */
    public static final String SERVE_STALE_WHILE_RESTORING = "serve.stale.while.restoring";

    private ColoKeys() {
    }
}
