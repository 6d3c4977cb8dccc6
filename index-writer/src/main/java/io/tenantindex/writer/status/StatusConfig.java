package io.tenantindex.writer.status;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the writer's status page needs: which colos to show and how long to wait for each.
 *
 * @param coloUrls      colo code → base URL of its lookup-api, in display order ({@code writer.colo.urls},
 *                      e.g. {@code ORD=http://127.0.0.1:8081,SIN=http://127.0.0.1:8082})
 * @param timeout       bound on one colo's {@code GET /stats}; a colo slower than this shows as down
 * @param recentChanges how many of the last committed writes the page lists
 */
public record StatusConfig(Map<String, String> coloUrls, Duration timeout, int recentChanges) {

    public StatusConfig {
        coloUrls = Collections.unmodifiableMap(new LinkedHashMap<>(coloUrls));
    }

    public static StatusConfig from(Settings s) {
        return new StatusConfig(
                parseColoUrls(s.string(ConfigKeys.WRITER_COLO_URLS, "")),
                Duration.ofMillis(s.longValue(ConfigKeys.WRITER_STATUS_TIMEOUT_MS, 1_500, 50, 60_000)),
                s.intValue(ConfigKeys.WRITER_STATUS_RECENT_CHANGES, 20, 1, 1_000));
    }

    /** {@code ORD=http://h:8081,SIN=http://h:8082} → ordered map (codes upper-cased, trailing slashes dropped). */
    public static Map<String, String> parseColoUrls(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : spec.split("[,\\s]+")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            String colo = eq > 0 ? part.substring(0, eq).trim().toUpperCase(Locale.ROOT) : "";
            String url = eq > 0 ? part.substring(eq + 1).trim() : "";
            if (colo.isEmpty() || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new ConfigException("'" + ConfigKeys.WRITER_COLO_URLS + "' (env " + Settings.envName(ConfigKeys.WRITER_COLO_URLS)
                        + ") must look like ORD=http://host:8081,SIN=http://host:8082, got '" + part + "'");
            }
            out.put(colo, url.replaceAll("/+$", ""));
        }
        return out;
    }
}
