package io.tenantindex.common.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The writer's {@code GET /health} (and the {@code writer} of its status page).
 *
 * @param status LOADING, UP, FENCED or STOPPING
 * @param reason why it is fenced; present only then
 */
public record WriterHealth(String status, boolean ready, String writerId, String topic, long tenants,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String reason, Writes writes) {

    /** Writes by outcome since the process started, and the Kafka transactions that carried them. */
    public record Writes(long committed, long rejected, long failed, long transactions) {
    }
}
