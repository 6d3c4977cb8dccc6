package io.tenantindex.bench;

import io.tenantindex.common.http.MiniHttp;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A service's Prometheus {@code /metrics}, read by the benchmarks that report what a process counted. */
final class Scrape {
    private Scrape() {
    }

    /** The text of {@code GET /metrics} on {@code port}. */
    static String metrics(int port) throws IOException {
        try (MiniHttp http = new MiniHttp(LoadTools.HOST, port)) {
            return http.request("GET", "/metrics", null, null).bodyText();
        }
    }

    /** The value of the first sample {@code metric} matches (its group 1) in {@code text}, or -1. */
    static double value(String text, Pattern metric) {
        Matcher m = metric.matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** The line pattern of a sample of {@code name} whose labels include {@code label} (e.g. {@code result="hit"}). */
    static Pattern sample(String name, String label) {
        return Pattern.compile("^" + Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(label) + "[^}]*} ([0-9.E+-]+)$", Pattern.MULTILINE);
    }
}
