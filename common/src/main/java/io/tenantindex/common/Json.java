package io.tenantindex.common;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one Jackson configuration every service uses. */
public final class Json {
    /** Thread-safe once configured; share it. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // {"tier":"free","tier":"enterprise"} is an attack or a bug, never a request to honour.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * For answers of the tenant-index services (the records of {@code io.tenantindex.common.api}):
     * a field the peer leaves out takes its default and one it adds is ignored, so a client reads a
     * server of an older or newer release. Requests are still parsed strictly, with {@link #MAPPER}.
     */
    private static final ObjectReader ANSWERS = MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static {
        // Hostile bodies: bound nesting and number sizes well below Jackson's generous defaults.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64)
                .maxNumberLength(64)
                .build());
    }

    private Json() {
    }

    /** {@code value} as JSON text; the contract records always serialize, so a failure is a bug. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }

    /** Parses a service's answer into its contract record. */
    public static <T> T readAnswer(String body, Class<T> type) throws JsonProcessingException {
        return ANSWERS.forType(type).readValue(body);
    }
}
