package io.tenantindex.common.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The writer's {@code GET /health} (and the {@code writer} of its status page).
 *
 * @param status LOADING, UP, FENCED or STOPPING
 * @param ready  true only on the active writer, once it accepts writes
 * @param reason why it is fenced; present only then
 * @param role   ACTIVE (accepts writes), STANDBY (tails the topic, redirects writes to the leader) or FENCED
 * @param leader the active writer's advertised URL as far as this writer knows; absent when unknown
 */
public record WriterHealth(String status, boolean ready, String writerId, String topic, long tenants,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String reason, Writes writes,
                           String role, @JsonInclude(JsonInclude.Include.NON_NULL) String leader) {

    /** Writes by outcome since the process started, and the Kafka transactions that carried them. */
    public record Writes(long committed, long rejected, long failed, long transactions) {
    }
}
