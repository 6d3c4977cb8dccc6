package io.tenantindex.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Optional;

/** The client's JSON reading and writing; fields a newer server adds are ignored, so older clients keep working. */
final class ClientJson {
    static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ClientJson() {
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new TenantIndexException(ErrorType.INTERNAL, "unreadable answer: " + e.getMessage(), e);
        }
    }

    /**
     * The server's error answer ({@code {"error":"TENANT_NOT_FOUND","message":…}}) as the exception
     * of its type; an answer without a known code keeps its status's meaning.
     */
    static TenantIndexException error(URI uri, int status, String body, HttpHeaders headers) {
        ErrorType type = status >= 500 ? ErrorType.UNAVAILABLE : ErrorType.BAD_REQUEST;
        String message = uri + " answered " + status;
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node != null && node.hasNonNull("error")) {
                type = ErrorType.valueOf(node.get("error").asText());
                message = node.path("message").asText(message);
            }
        } catch (IOException | IllegalArgumentException e) {
            // Not one of ours (a proxy's error page): the status says enough.
        }
        Duration retryAfter = headers.firstValue("Retry-After").flatMap(ClientJson::seconds).orElse(null);
        return new TenantIndexException(type, message, retryAfter, null);
    }

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
