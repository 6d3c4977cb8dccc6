package io.tenantindex.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.tenantindex.common.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects every figure (value, unit, target, how it was measured) and writes latest.md and latest.json. */
final class Report {
    /**
     * @param target human-readable target ("≤ 5 µs"), null when the figure has none
     * @param met    whether the target is met, null when there is no target
     */
    record Figure(String section, String name, double value, String unit, String target, Boolean met, String how) {
    }

    final Map<String, Object> machine = new LinkedHashMap<>();
    final Map<String, Object> config = new LinkedHashMap<>();
    final List<Figure> figures = new ArrayList<>();
    final Map<String, Object> details = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();

    void add(String section, String name, double value, String unit, String how) {
        figures.add(new Figure(section, name, value, unit, null, null, how));
        System.out.printf(Locale.ROOT, "bench: %-52s %14s %s%n", section + " / " + name, fmt(value), unit);
    }

    /** A figure with an upper bound target (value ≤ max). */
    void atMost(String section, String name, double value, String unit, double max, String how) {
        boolean met = value >= 0 && value <= max;
        figures.add(new Figure(section, name, value, unit, "≤ " + fmt(max) + " " + unit, met, how));
        System.out.printf(Locale.ROOT, "bench: %-52s %14s %s (target ≤ %s: %s)%n", section + " / " + name, fmt(value), unit,
                fmt(max), met ? "met" : "MISSED");
    }

    /** A figure with a lower bound target (value ≥ min). */
    void atLeast(String section, String name, double value, String unit, double min, String how) {
        boolean met = value >= min;
        figures.add(new Figure(section, name, value, unit, "≥ " + fmt(min) + " " + unit, met, how));
        System.out.printf(Locale.ROOT, "bench: %-52s %14s %s (target ≥ %s: %s)%n", section + " / " + name, fmt(value), unit,
                fmt(min), met ? "met" : "MISSED");
    }

    void note(String text) {
        notes.add(text);
        System.out.println("bench: note: " + text);
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v)
                : Math.abs(v) >= 1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("config", config);
        json.put("figures", figures);
        json.put("details", details);
        json.put("notes", notes);
        Files.writeString(dir.resolve("latest.json"),
                Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json) + "\n");
        Files.writeString(dir.resolve("latest.md"), markdown());
    }

    private String markdown() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# tenant-index benchmark results\n\n");
        md.append("Written by `./tenant-index bench` (bench/run.sh → io.tenantindex.bench.BenchMain). Every figure below was "
                + "measured in this one run; baselines (nginx) ran in the same run on the same machine. "
                + "Raw logs stay in the work directory and are not committed.\n\n");
        md.append("## Machine\n\n| fact | value |\n|---|---|\n");
        machine.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append("\n## Run configuration\n\n| setting | value |\n|---|---|\n");
        config.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append("\n## Results\n\n| benchmark | figure | value | unit | target | met? |\n|---|---|---:|---|---|---|\n");
        for (Figure f : figures) {
            md.append("| ").append(f.section()).append(" | ").append(f.name()).append(" | ").append(fmt(f.value()))
                    .append(" | ").append(f.unit()).append(" | ").append(f.target() == null ? "" : f.target())
                    .append(" | ").append(f.met() == null ? "" : f.met() ? "yes" : "**NO**").append(" |\n");
        }
        md.append("\n## How each figure was measured\n\n");
        String section = null;
        for (Figure f : figures) {
            if (!f.section().equals(section)) {
                section = f.section();
                md.append("\n### ").append(section).append("\n\n");
            }
            md.append("- **").append(f.name()).append("**: ").append(f.how()).append("\n");
        }
        if (!notes.isEmpty()) {
            md.append("\n## Notes\n\n");
            notes.forEach(n -> md.append("- ").append(n).append("\n"));
        }
        md.append("\n## Details\n\n```json\n")
                .append(Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(details))
                .append("\n```\n");
        return md.toString();
    }
}
