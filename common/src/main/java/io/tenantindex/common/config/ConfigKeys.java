package io.tenantindex.common.config;

/**
 * Every configuration key of tenant-index, in one place. A key {@code http.port} is set by the flag
 * {@code --http-port} or the environment variable {@code TENANT_INDEX_HTTP_PORT}; see {@link Settings}.
 */
public final class ConfigKeys {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    /** Prefix for raw Kafka client settings (SASL, TLS, …): {@code kafka.security.protocol=SASL_SSL}. */
    public static final String KAFKA_CLIENT_PREFIX = "kafka.";

    public static final String REGISTRY_URL = "registry.url";
    public static final String REGISTRY_AUTO_REGISTER = "registry.auto.register";

    public static final String INDEX_TOPIC = "index.topic";
    public static final String INDEX_PARTITIONS = "index.partitions";
    public static final String USAGE_TOPIC = "usage.topic";
    public static final String USAGE_PARTITIONS = "usage.partitions";
    public static final String USAGE_RETENTION_MS = "usage.retention.ms";
    public static final String USAGE_RETENTION_BYTES = "usage.retention.bytes";
    public static final String TOPIC_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String TOPIC_MIN_INSYNC_REPLICAS = "topics.min.insync.replicas";

    /** Bearer token for writes (PUT/DELETE); env TENANT_INDEX_WRITER_TOKEN. */
    public static final String WRITER_TOKEN = "writer.token";
    /** Bearer token for admin operations (import, rebuild) and writes; env TENANT_INDEX_ADMIN_TOKEN. */
    public static final String ADMIN_TOKEN = "admin.token";
    /** true only on a network you trust completely: writes and admin operations need no token. */
    public static final String AUTH_DISABLED = "auth.disabled";

    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    /** Worker threads of a lookup-api's HTTP server (default 4 per core, at least 8). */
    public static final String HTTP_THREADS = "http.threads";

    public static final String WRITER_ID = "writer.id";
    public static final String WRITER_MAX_BATCH = "writer.max.batch";
    public static final String WRITER_MAX_IMPORT_BYTES = "writer.max.import.bytes";
    public static final String WRITER_KAFKA_TIMEOUT_MS = "writer.kafka.timeout.ms";

    public static final String COLO = "colo";
    /** A colo instance's stable name (default: the host name): part of its Streams application id, so of its state and group. */
    public static final String INSTANCE_ID = "instance.id";
    public static final String STATE_DIR = "state.dir";
    public static final String READ_WAIT_MS = "read.wait.ms";
    public static final String READ_MAX_WAIT_MS = "read.max.wait.ms";
    /** The writer's base URL: a colo forwards the lookups it cannot answer yet (restoring, partition lost) to its GET /tenants/{id}. */
    public static final String LOOKUP_FALLBACK_URL = "lookup.fallback.url";
    /** How long a forwarded lookup may take before the colo answers 503 itself. */
    public static final String LOOKUP_FALLBACK_TIMEOUT_MS = "lookup.fallback.timeout.ms";

    private ConfigKeys() {
    }
}
