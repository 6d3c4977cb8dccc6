package io.tenantindex.sink;

import io.tenantindex.protocol.TenantIndexException;
import java.time.Duration;
import java.util.Locale;

/** The two window sizes the sink aggregates by, each with its own window store. */
public enum Granularity {
    MINUTE(UsageTopology.MINUTE_STORE, SinkConfig.MINUTE),
    HOUR(UsageTopology.HOUR_STORE, SinkConfig.HOUR);

    private final String store;
    private final Duration size;

    Granularity(String store, Duration size) {
        this.store = store;
        this.size = size;
    }

    public String store() {
        return store;
    }

    public long sizeMs() {
        return size.toMillis();
    }

    /** The start of the window that contains {@code epochMs}. */
    public long windowStart(long epochMs) {
        return epochMs - Math.floorMod(epochMs, sizeMs());
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code minute} or {@code hour}; {@code fallback} when absent; anything else is a 400. */
    public static Granularity parse(String value, Granularity fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "minute" -> MINUTE;
            case "hour" -> HOUR;
            default -> throw TenantIndexException.badRequest("granularity must be minute or hour, got '" + value + "'");
        };
    }
}
