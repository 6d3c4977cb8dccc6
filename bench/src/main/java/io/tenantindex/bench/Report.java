package io.tenantindex.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.tenantindex.common.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects every figure (value, unit, target, how it was measured) and the measures the
 * {@link RatioTable} compares, and writes latest.md and latest.json.
 */
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
    /** The figures the ratio table compares. */
    final Map<Measure, Double> measured = new EnumMap<>(Measure.class);

    void keep(Measure measure, double value) {
        measured.put(measure, value);
    }

    /** Keeps the highest of the values seen for {@code measure} (memory measured at several moments). */
    void keepHighest(Measure measure, double value) {
        measured.merge(measure, value, Math::max);
    }

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
        for (RatioTable.Row r : RatioTable.of(measured)) {
            System.out.printf(Locale.ROOT, "bench: target %-52s %s%s → %s%n", r.figure(),
                    r.value() == null ? "not measured" : fmt(r.value()) + " " + r.unit(),
                    r.floor() == null ? "" : " ÷ " + (r.floorValue() == null ? "not measured" : fmt(r.floorValue())) + " = "
                            + (Double.isNaN(r.ratio()) ? "?" : fmt(r.ratio()) + "×"),
                    r.target() + (r.met() == null ? "" : r.met() ? " met" : " NO"));
        }
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("config", config);
        json.put("ratios", RatioTable.of(measured));
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
                + "measured in this one run; the floors (nginx, Redis, Kafka's own latency and throughput, raw RocksDB) ran in the "
                + "same run on the same machine. "
                + "Raw logs stay in the work directory and are not committed.\n\n");
        md.append("## Machine\n\n| fact | value |\n|---|---|\n");
        machine.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append("\n## Run configuration\n\n| setting | value |\n|---|---|\n");
        config.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append("\n## Targets: each figure against its floor, same run\n\n| figure | value | floor | floor value | ratio | target | met? |\n"
                + "|---|---:|---|---:|---:|---|---|\n");
        for (RatioTable.Row r : RatioTable.of(measured)) {
            md.append("| ").append(r.figure()).append(" | ").append(r.value() == null ? "not measured" : fmt(r.value()) + " " + r.unit())
                    .append(" | ").append(r.floor() == null ? "(absolute)" : r.floor())
                    .append(" | ").append(r.floor() == null ? "" : r.floorValue() == null ? "not measured" : fmt(r.floorValue()) + " " + r.unit())
                    .append(" | ").append(r.floor() == null || Double.isNaN(r.ratio()) ? "" : fmt(r.ratio()) + "×")
                    .append(" | ").append(r.target()).append(" | ").append(r.met() == null ? "" : r.met() ? "met" : "**NO**").append(" |\n");
        }
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
