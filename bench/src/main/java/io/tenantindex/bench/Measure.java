package io.tenantindex.bench;

/** The figures the {@link RatioTable} compares, kept in the report by the benchmarks that measure them. */
enum Measure {
    COLO_MAX_RPS, NGINX_MAX_RPS, REDIS_MAX_RPS,
    COLO_P99_AT_HALF_MS, NGINX_P99_AT_HALF_MS,
    IN_PROCESS_P99_NS,
    LAG_P99_MS, KAFKA_E2E_P99_MS, KAFKA_COMMIT_TO_CONSUMED_P99_MS,
    PUT_P99_MS, RAW_COMMIT_P99_MS,
    IMPORT_PER_S, RAW_PRODUCER_PER_S,
    WARM_RESTART_S, BLUE_GREEN_S,
    EMISSION_COST_PCT, EMISSION_CPU_RATIO,
    COLO_RSS_MIB,
    NEWCOMER_RPS
}
