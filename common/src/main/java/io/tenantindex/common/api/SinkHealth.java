package io.tenantindex.common.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The usage-log-sink's {@code GET /health} ({@code status}) and {@code /health/ready} ({@code ready}). */
public record SinkHealth(@JsonInclude(JsonInclude.Include.NON_NULL) String status,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Boolean ready, String streamsState) {

    public static SinkHealth liveness(boolean up, String streamsState) {
        return new SinkHealth(up ? "UP" : "DOWN", null, streamsState);
    }

    public static SinkHealth readiness(boolean ready, String streamsState) {
        return new SinkHealth(null, ready, streamsState);
    }
}
