package io.tenantindex.protocol;

/** The tenant-index HTTP headers, for the servers that set them and the clients that read them. */
public final class ApiHeaders {
    /** A write's position in the index topic; a lookup that presents it waits until the colo has applied it. */
    public static final String CONSISTENCY_TOKEN = "X-Consistency-Token";
    /** The colo that answered a lookup. */
    public static final String COLO = "X-Colo";
    /** Records the colo's replica is behind Kafka (-1 unknown). */
    public static final String REPLICA_LAG = "X-Replica-Lag";
    /** Milliseconds since the replica was last known to be current. */
    public static final String REPLICA_STALENESS_MS = "X-Replica-Staleness-Ms";
    /**
     * {@code true} on an answer read from a store that may be behind what the colo already answered
     * from: served before the replica caught up, or from a partition's store restored (or rolled back)
     * after its task closed and not yet back where it was.
     */
    public static final String REPLICA_STALE = "X-Replica-Stale";
    /** {@code primary} on a lookup the colo could not answer yet and forwarded to the writer. */
    public static final String REPLICA_FALLBACK = "X-Replica-Fallback";
    /** Since when the colo cannot reach Kafka (ISO-8601), absent while it can. */
    public static final String REPLICA_DEGRADED_SINCE = "X-Replica-Degraded-Since";
    /** Microseconds the colo spent on the lookup. */
    public static final String INDEX_LOOKUP_MICROS = "X-Index-Lookup-Micros";
    /** The caller's request id, carried into the usage event (a colo makes one up when absent). */
    public static final String REQUEST_ID = "X-Request-Id";

    private ApiHeaders() {
    }

    /** The strong ETag of a tenant entry: its version, quoted ({@code "3"}); what If-Match expects back. */
    public static String etag(long version) {
        return "\"" + version + "\"";
    }
}
