package io.tenantindex.common.config;

import io.tenantindex.common.config.ConfigKey.Program;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every configuration key of tenant-index, in one place, each registered with its default, its
 * meaning and the processes that read it. A key {@code http.port} is set by the flag
 * {@code --http-port} or the environment variable {@code TENANT_INDEX_HTTP_PORT}; see
 * {@link Settings}. {@code ./tenant-index up --help} lists {@link #all()}, and tests check the
 * README's configuration table, the compose file and the config classes' defaults against it.
 */
public final class ConfigKeys {
    private static final List<ConfigKey> ALL = new ArrayList<>();
    private static final Set<Program> SERVICES = EnumSet.of(Program.WRITER, Program.COLO, Program.SINK);
    /** The services that take writes or admin operations; the sink serves reads only. */
    private static final Set<Program> AUTHENTICATED = EnumSet.of(Program.WRITER, Program.COLO);

    /** Where the CLI and the local stack expect the writer, the colos and the sink by default. */
    public static final int DEFAULT_WRITER_PORT = 8080;
    public static final String DEFAULT_COLOS = "ORD:8081,SIN:8082,AMS:8083";
    public static final int DEFAULT_SINK_PORT = 8090;
    public static final int DEFAULT_REGISTRY_PORT = 8085;
    public static final String DEFAULT_DATA_DIR = ".tenant-index";

    // ------------------------------------------------------------ Kafka and topics (every service)

    public static final String BOOTSTRAP_SERVERS = key("bootstrap.servers", "127.0.0.1:9092",
            "Kafka; given to `up`, the stack uses that cluster instead of its embedded broker", SERVICES);
    /** Prefix for raw Kafka client settings (SASL, TLS, …): {@code kafka.security.protocol=SASL_SSL}. */
    public static final String KAFKA_CLIENT_PREFIX = key("kafka.", null,
            "raw Kafka client settings, prefix removed, for every producer, consumer, admin and Streams client "
                    + "(`kafka.security.protocol=SASL_SSL`, `kafka.sasl.jaas.config=…`)", SERVICES);
    public static final String INDEX_TOPIC = key("index.topic", "tenant-index", "the compacted source of truth", SERVICES);
    public static final String INDEX_PARTITIONS = key("index.partitions", "6", "its partitions", SERVICES);
    public static final String USAGE_TOPIC = key("usage.topic", "tenant-usage", "usage events, one per lookup", SERVICES);
    public static final String USAGE_PARTITIONS = key("usage.partitions", "6", "its partitions", SERVICES);
    public static final String USAGE_RETENTION_MS = key("usage.retention.ms", "604800000", "how long usage events are kept (7 days)", SERVICES);
    public static final String USAGE_RETENTION_BYTES = key("usage.retention.bytes", "-1", "and how many bytes of them per partition (-1: no limit)", SERVICES);
    public static final String TOPIC_REPLICATION_FACTOR = key("topics.replication.factor", "1",
            "replication factor of every topic; raise it in production (`up --brokers 3` defaults it to 3)", SERVICES);
    public static final String TOPIC_MIN_INSYNC_REPLICAS = key("topics.min.insync.replicas", "1", "min.insync.replicas of every topic; raise it with the above", SERVICES);

    // ------------------------------------------------------------ schema registry client (every service)

    /** Comma-separated base URLs; after a connection failure the client moves on to the next. */
    public static final String REGISTRY_URL = key("registry.url", "http://127.0.0.1:" + DEFAULT_REGISTRY_PORT,
            "Confluent-compatible schema registry, comma-separated URLs tried in turn; given to `up`, the stack uses it "
                    + "instead of its embedded one", SERVICES);
    public static final String REGISTRY_AUTO_REGISTER = key("registry.auto.register", "false",
            "register schemas on first write, or only look them up (the local stack sets `true`)", SERVICES);
    public static final String REGISTRY_BASIC_AUTH_USER_INFO = key("registry.basic.auth.user.info", null,
            "`user:password` for HTTP basic auth to the registry", SERVICES);
    public static final String REGISTRY_BEARER_TOKEN = key("registry.bearer.token", null,
            "a bearer token for the registry (instead of basic auth)", SERVICES);
    public static final String REGISTRY_TRUSTSTORE_LOCATION = key("registry.ssl.truststore.location", null,
            "trust store for an https registry (default: the JVM's trust)", SERVICES);
    public static final String REGISTRY_TRUSTSTORE_PASSWORD = key("registry.ssl.truststore.password", null, "its password", SERVICES);
    public static final String REGISTRY_TRUSTSTORE_TYPE = key("registry.ssl.truststore.type", "PKCS12", "its type", SERVICES);
    public static final String REGISTRY_KEYSTORE_LOCATION = key("registry.ssl.keystore.location", null,
            "key store with a client certificate (mutual TLS)", SERVICES);
    public static final String REGISTRY_KEYSTORE_PASSWORD = key("registry.ssl.keystore.password", null, "its password", SERVICES);
    public static final String REGISTRY_KEYSTORE_TYPE = key("registry.ssl.keystore.type", "PKCS12", "its type", SERVICES);
    public static final String REGISTRY_KEY_PASSWORD = key("registry.ssl.key.password", null, "the client key's password", SERVICES);
    public static final String REGISTRY_CONNECT_TIMEOUT_MS = key("registry.connect.timeout.ms", "5000", "registry connect timeout", SERVICES);
    public static final String REGISTRY_REQUEST_TIMEOUT_MS = key("registry.request.timeout.ms", "10000", "registry request timeout", SERVICES);
    /** Attempts per request, the first included (1 = no retry). */
    public static final String REGISTRY_RETRY_MAX_ATTEMPTS = key("registry.retry.max.attempts", "4",
            "attempts per registry request, the first included", SERVICES);
    public static final String REGISTRY_RETRY_BACKOFF_MS = key("registry.retry.backoff.ms", "100", "first backoff between attempts", SERVICES);
    public static final String REGISTRY_RETRY_BACKOFF_MAX_MS = key("registry.retry.backoff.max.ms", "2000", "largest backoff", SERVICES);

    // ------------------------------------------------------------ authentication

    /** Bearer token for writes (PUT/DELETE); env TENANT_INDEX_WRITER_TOKEN. */
    public static final String WRITER_TOKEN = required("writer.token",
            "bearer token for writes, ≥ 16 characters; the local stack generates one, the CLI reads it from there",
            with(AUTHENTICATED, Program.CLI));
    /** Bearer token for admin operations (import, rebuild) and writes; env TENANT_INDEX_ADMIN_TOKEN. */
    public static final String ADMIN_TOKEN = required("admin.token",
            "bearer token for bulk import, rebuilds and writes, ≥ 16 characters; as above", with(AUTHENTICATED, Program.CLI));
    /** true only on a network you trust completely: writes and admin operations need no token. */
    public static final String AUTH_DISABLED = key("auth.disabled", "false",
            "`true` only on a network you trust: writes need no token, and the tokens are not required",
            with(AUTHENTICATED, Program.LOCAL_STACK));

    // ------------------------------------------------------------ HTTP

    public static final String HTTP_HOST = key("http.host", null,
            "where a service listens: `0.0.0.0` for the writer and colos, `127.0.0.1` for the sink and the local stack",
            with(SERVICES, Program.LOCAL_STACK));
    public static final String HTTP_PORT = key("http.port", null, "the writer's (8080) or a colo's (8081) port",
            EnumSet.of(Program.WRITER, Program.COLO));
    /** Worker threads of a lookup-api's HTTP server (default 4 per core, at least 8). */
    public static final String HTTP_THREADS = key("http.threads", null,
            "a colo's HTTP worker threads, default 4 per core and at least 8; lookups never block, and more threads on few "
                    + "cores only queue on locks whose holder was descheduled (measured: 32 threads cost 17% of throughput on 2 cores)",
            EnumSet.of(Program.COLO));

    // ------------------------------------------------------------ shutdown

    /** Below Docker's default stop grace period (10 s) and Kubernetes' (30 s): a clean stop is never killed. */
    public static final String SHUTDOWN_TIMEOUT_MS = key("shutdown.timeout.ms", "8000",
            "how long a stopping writer, colo or sink may take in all (HTTP, Streams leaving its group, producers "
                    + "flushing); keep it below the platform's grace period (Docker 10 s, Kubernetes 30 s)", SERVICES);

    // ------------------------------------------------------------ index-writer

    public static final String WRITER_ID = key("writer.id", "primary",
            "identity of the primary: writers with the same id elect one active writer, the others stand by", EnumSet.of(Program.WRITER));
    public static final String WRITER_MAX_BATCH = key("writer.max.batch", "5000", "most writes per Kafka transaction", EnumSet.of(Program.WRITER));
    public static final String WRITER_MAX_IMPORT_BYTES = key("writer.max.import.bytes", "268435456",
            "largest NDJSON body `POST /tenants:import` accepts (256 MiB)", EnumSet.of(Program.WRITER));
    public static final String WRITER_KAFKA_TIMEOUT_MS = key("writer.kafka.timeout.ms", "30000",
            "how long a write may wait for Kafka before it fails with 503 and the writer recovers", EnumSet.of(Program.WRITER));
    public static final String WRITER_ELECTION_ENABLED = key("writer.election.enabled", "true",
            "false: no election, the writer claims the transactional id at start and fences any older one", EnumSet.of(Program.WRITER));
    /** 6 s is the broker's default group.min.session.timeout.ms: the lowest a default broker accepts. */
    public static final String WRITER_ELECTION_SESSION_TIMEOUT_MS = key("writer.election.session.timeout.ms", "6000",
            "how long the active writer may be silent before a standby takes over (within the broker's "
                    + "`group.min/max.session.timeout.ms`)", EnumSet.of(Program.WRITER));
    public static final String WRITER_ADVERTISED_URL = key("writer.advertised.url", null,
            "where standbys redirect writes while this writer leads; default `http://<http.host>:<port>` (a wildcard host: "
                    + "this host's name)", EnumSet.of(Program.WRITER));
    /** Colo code → base URL of its lookup-api, in display order: {@code ORD=http://h:8081,SIN=http://h:8082}. */
    public static final String WRITER_COLO_URLS = key("writer.colo.urls", "",
            "the colos the status page shows: `ORD=http://host:8081,SIN=http://host:8082`", EnumSet.of(Program.WRITER));
    public static final String WRITER_STATUS_TIMEOUT_MS = key("writer.status.timeout.ms", "1500",
            "bound on one colo's `GET /stats` for the status page; slower shows as down", EnumSet.of(Program.WRITER));
    public static final String WRITER_STATUS_RECENT_CHANGES = key("writer.status.recent.changes", "20",
            "how many of the last writes the status page lists", EnumSet.of(Program.WRITER));

    // ------------------------------------------------------------ colo (materializer + lookup-api)

    public static final String COLO = required("colo", "a colo's code (ORD, SIN, …): its application id and consumer group",
            EnumSet.of(Program.COLO));
    /** A colo instance's stable name: part of its Streams application id, so of its state directory and group. */
    public static final String INSTANCE_ID = key("instance.id", null,
            "a colo instance's stable name (default: the host name); part of its application id, state and group",
            EnumSet.of(Program.COLO));
    public static final String STATE_DIR = key("state.dir", null,
            "where a colo's (default `data/state`) or the sink's (default `<tmp>/tenant-index-state`) RocksDB state lives",
            EnumSet.of(Program.COLO, Program.SINK));
    public static final String READ_WAIT_MS = key("read.wait.ms", "1000", "a tokened lookup's default wait", EnumSet.of(Program.COLO));
    public static final String READ_MAX_WAIT_MS = key("read.max.wait.ms", "10000", "the largest `?wait=`", EnumSet.of(Program.COLO));
    /** The change feed ({@code GET /changes}) of the colos and the writer. */
    public static final String FEED_RING_CAPACITY = key("feed.ring.capacity", "20000",
            "recent changes kept in memory for `GET /changes` (live feeds and recent resumes; older ones are read from the topic)",
            EnumSet.of(Program.WRITER, Program.COLO));
    public static final String FEED_MAX_BEHIND = key("feed.max.behind", "10000",
            "how many changes a feed may fall behind before it is cut off with its resume token (at most `feed.ring.capacity`)",
            EnumSet.of(Program.WRITER, Program.COLO));
    public static final String FEED_HEARTBEAT_MS = key("feed.heartbeat.ms", "15000",
            "an SSE comment this often on an idle `GET /changes` stream", EnumSet.of(Program.WRITER, Program.COLO));
    public static final String FEED_MAX_WAIT_MS = key("feed.max.wait.ms", "30000",
            "the largest long-poll `wait` of `GET /changes` (a larger one is capped)", EnumSet.of(Program.WRITER, Program.COLO));
    /** The writer's base URL: a colo forwards the lookups it cannot answer yet (restoring, partition lost) to its GET /tenants/{id}. */
    public static final String LOOKUP_FALLBACK_URL = key("lookup.fallback.url", null,
            "the writer's URL: lookups a colo cannot answer yet (restoring, a partition lost) are answered by its `GET /tenants/{id}`, "
                    + "marked `X-Replica-Fallback: primary`; unset: 503", EnumSet.of(Program.COLO));
    public static final String LOOKUP_FALLBACK_TIMEOUT_MS = key("lookup.fallback.timeout.ms", "1000",
            "how long a forwarded lookup may take before the colo answers 503 itself", EnumSet.of(Program.COLO));
    /** Static group membership: a restarted instance takes its partitions back without a rebalance, also after a crash. */
    public static final String COLO_STATIC_MEMBERSHIP = key("colo.static.membership", "true",
            "static group membership (`group.instance.id`); `false` only to measure what it buys", EnumSet.of(Program.COLO));
    /** Each stream thread restores its partitions on a state-updater thread of its own: a rebuild's replay runs on that many. */
    public static final String COLO_STREAM_THREADS = key("colo.stream.threads", "1",
            "Kafka Streams threads of a colo; each restores its share of the partitions on a thread of its own (rebuilds, cold starts)",
            EnumSet.of(Program.COLO));
    /** Appended to {@code tenant-index-colo-<COLO>}, so tests (or a blue/green rebuild) get their own group. */
    public static final String COLO_APP_ID_SUFFIX = key("colo.app.id.suffix", "",
            "appended to the application id `tenant-index-colo-<COLO>` (a group of its own)", EnumSet.of(Program.COLO));
    /** Dead-letter topic for records the colo cannot decode; default {@code <index-topic>.dlq.<COLO>}. */
    public static final String COLO_DLQ_TOPIC = key("colo.dlq.topic", null,
            "where records the colo cannot decode go, default `<index.topic>.dlq.<COLO>`", EnumSet.of(Program.COLO));
    /** How often the colo asks Kafka for end offsets (lag, staleness, degraded detection). */
    public static final String COLO_REFRESH_INTERVAL_MS = key("colo.refresh.interval.ms", "1000",
            "how often a colo asks Kafka for end offsets (lag, staleness, degraded detection)", EnumSet.of(Program.COLO));
    /** A rebuild not caught up within this long has failed: its generation is discarded, the serving one stays. */
    public static final String COLO_REBUILD_TIMEOUT_MS = key("colo.rebuild.timeout.ms", "1800000",
            "a blue/green rebuild that has not caught up within this long ends `failed` (the serving generation stays)",
            EnumSet.of(Program.COLO));
    /** Heap for the stored values of recently read tenants, in front of RocksDB. */
    public static final String COLO_ANSWER_CACHE_BYTES = key("colo.answer.cache.bytes", "201326592",
            "heap for the stored values of recently read tenants, in front of RocksDB (about 150 bytes each: 1M tenants fit in the default 192 MiB); at most 40 % of the heap; 0 = off",
            EnumSet.of(Program.COLO));
    /** One RocksDB block cache for all of a JVM's colo stores, instead of Kafka Streams' 50 MB per store. */
    public static final String COLO_ROCKSDB_BLOCK_CACHE_BYTES = key("colo.rocksdb.block.cache.bytes", "67108864",
            "one RocksDB block cache all of a JVM's colo stores share (64 MiB; Kafka Streams' default is 50 MB per store, six at six partitions, twelve during a rebuild); lookups read RocksDB only when the answer cache misses",
            EnumSet.of(Program.COLO));
    /** Answer lookups from a restoring (not yet caught up) replica, marking each response stale. */
    public static final String SERVE_STALE_WHILE_RESTORING = key("serve.stale.while.restoring", "false",
            "a cold colo answers before it caught up, marking answers `X-Replica-Stale: true`", EnumSet.of(Program.COLO));
    /** false: a colo records no usage at all (for measuring what emission costs, or colos without a sink). */
    public static final String USAGE_EMITTER_ENABLED = key("usage.emitter.enabled", "true",
            "`false`: a colo records no usage at all", EnumSet.of(Program.COLO));
    public static final String USAGE_EMITTER_BUFFER_SIZE = key("usage.emitter.buffer.size", "65536",
            "usage events a colo buffers; beyond it they are dropped and counted", EnumSet.of(Program.COLO));
    public static final String USAGE_EMITTER_LINGER_MS = key("usage.emitter.linger.ms", "100", "the usage producer's linger.ms: fewer, fuller batches (six partitions split each linger); a colo killed with `-9` loses up to this long of events besides its buffer (a graceful stop flushes both)", EnumSet.of(Program.COLO));
    public static final String USAGE_EMITTER_COMPRESSION_TYPE = key("usage.emitter.compression.type", "none",
            "the usage producer's compression.type (`none`, `lz4`, `zstd`, `snappy`, `gzip`): a compressed batch costs the broker a decompression to validate it", EnumSet.of(Program.COLO));
    public static final String USAGE_EMITTER_MAX_BLOCK_MS = key("usage.emitter.max.block.ms", "10000",
            "the usage producer's max.block.ms", EnumSet.of(Program.COLO));
    public static final String USAGE_EMITTER_CLOSE_TIMEOUT_MS = key("usage.emitter.close.timeout.ms", "5000",
            "how long a stopping colo flushes buffered usage events (at most a quarter of its `shutdown.timeout.ms`)", EnumSet.of(Program.COLO));

    // ------------------------------------------------------------ usage-log-sink

    public static final String SINK_APPLICATION_ID = key("sink.application.id", "tenant-index-usage-sink",
            "the sink's Streams application id and consumer group", EnumSet.of(Program.SINK));
    public static final String SINK_HTTP_PORT = key("sink.http.port", Integer.toString(DEFAULT_SINK_PORT), "the sink's port", EnumSet.of(Program.SINK));
    public static final String SINK_GRACE_MS = key("sink.grace.ms", "300000", "how late a usage event may arrive and still count (5 min)",
            EnumSet.of(Program.SINK));
    public static final String SINK_STREAM_THREADS = key("sink.stream.threads", "1", "the sink's stream threads", EnumSet.of(Program.SINK));
    public static final String SINK_COMMIT_INTERVAL_MS = key("sink.commit.interval.ms", "200", "the sink's commit interval", EnumSet.of(Program.SINK));
    public static final String SINK_CACHE_MAX_BYTES = key("sink.cache.max.bytes", "10485760", "the sink's Streams record cache (10 MiB)",
            EnumSet.of(Program.SINK));
    public static final String SINK_ROCKSDB_MEMORY_BYTES = key("sink.rocksdb.memory.bytes", "67108864",
            "memory all of the sink's RocksDB stores share (64 MiB)", EnumSet.of(Program.SINK));
    public static final String SINK_EVENTS_MAX_SCAN = key("sink.events.max.scan", "20000",
            "most events one raw-events page scans", EnumSet.of(Program.SINK));
    public static final String SINK_EVENT_READERS = key("sink.event.readers", "4", "consumers serving raw-event pages", EnumSet.of(Program.SINK));
    /** How long decoding waits for an unavailable schema registry before the stream thread is replaced. */
    public static final String SINK_REGISTRY_PATIENCE_MS = key("sink.registry.patience.ms", "60000",
            "how long the usage sink retries decoding while the schema registry is unavailable before its stream thread is "
                    + "replaced (which retries again); such events are never skipped",
            EnumSet.of(Program.SINK));

    // ------------------------------------------------------------ ./tenant-index up and the CLI

    public static final String DATA_DIR = key("data.dir", DEFAULT_DATA_DIR,
            "the local stack's broker data, tokens and replica state; the CLI reads the tokens from there",
            EnumSet.of(Program.LOCAL_STACK, Program.CLI));
    public static final String KAFKA_PORT = key("kafka.port", "9092", "port of the stack's embedded broker", EnumSet.of(Program.LOCAL_STACK));
    public static final String BROKERS = key("brokers", "1", "how many embedded brokers the stack runs; more than 1 is a KRaft cluster whose "
            + "topics default to replication factor min(3, brokers) and min.insync.replicas one less", EnumSet.of(Program.LOCAL_STACK));
    public static final String REGISTRY_PORT = key("registry.port", Integer.toString(DEFAULT_REGISTRY_PORT),
            "port of the stack's embedded registry", EnumSet.of(Program.LOCAL_STACK));
    public static final String WRITER_PORT = key("writer.port", Integer.toString(DEFAULT_WRITER_PORT), "the stack's writer port",
            EnumSet.of(Program.LOCAL_STACK));
    public static final String COLOS = key("colos", DEFAULT_COLOS,
            "the stack's colos and their ports, in start order; the CLI finds the colos there (on `colo.host`)",
            EnumSet.of(Program.LOCAL_STACK, Program.CLI));
    public static final String SINK_PORT = key("sink.port", Integer.toString(DEFAULT_SINK_PORT), "the stack's usage-log-sink port",
            EnumSet.of(Program.LOCAL_STACK));
    public static final String SEED = key("seed", "true", "seed the demo tenants acme, globex and initech", EnumSet.of(Program.LOCAL_STACK));
    public static final String SINK = key("sink", "true", "run the usage-log-sink in the stack's process", EnumSet.of(Program.LOCAL_STACK));
    public static final String WRITER_URL = key("writer.url", "http://127.0.0.1:" + DEFAULT_WRITER_PORT, "the writer the CLI talks to",
            EnumSet.of(Program.CLI));
    public static final String COLO_HOST = key("colo.host", "127.0.0.1", "host of the colos the CLI talks to", EnumSet.of(Program.CLI));
    public static final String SINK_URL = key("sink.url", "http://127.0.0.1:" + DEFAULT_SINK_PORT, "the usage-log-sink the CLI talks to",
            EnumSet.of(Program.CLI));

    private ConfigKeys() {
    }

    /** Every registered key, in registration order (grouped by what reads it). */
    public static List<ConfigKey> all() {
        return Collections.unmodifiableList(ALL);
    }

    /** The registered key {@code name} is, or is under (a {@code kafka.*} setting). */
    public static Optional<ConfigKey> find(String name) {
        return ALL.stream().filter(k -> k.key().equals(name)).findFirst()
                .or(() -> ALL.stream().filter(k -> k.matches(name)).findFirst());
    }

    /** The registered default of {@code key}; null when it has none. */
    public static String defaultOf(String key) {
        return find(key).filter(k -> k.key().equals(key)).map(ConfigKey::defaultValue)
                .orElseThrow(() -> new IllegalArgumentException("not a registered key: " + key));
    }

    private static String key(String key, String defaultValue, String description, Set<Program> readBy) {
        ALL.add(new ConfigKey(key, defaultValue, false, description, readBy));
        return key;
    }

    private static String required(String key, String description, Set<Program> readBy) {
        ALL.add(new ConfigKey(key, null, true, description, readBy));
        return key;
    }

    private static Set<Program> with(Set<Program> readers, Program more) {
        Set<Program> out = EnumSet.copyOf(readers);
        out.add(more);
        return out;
    }
}
