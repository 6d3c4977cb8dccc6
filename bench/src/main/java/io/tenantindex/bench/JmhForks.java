package io.tenantindex.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/** How the bench runs JMH: SampleTime in one forked JVM, one thread, the run's warm-up and measurement, a log of its own. */
final class JmhForks {
    private JmhForks() {
    }

    /** {@code benchmarks} in one fork writing to {@code log}; {@code properties} ({@code name=value}) become its -D flags. */
    static Options options(BenchOptions o, Path log, List<Class<?>> benchmarks, String... properties) {
        return options(o, log, benchmarks.stream().map(Class::getName).toList(), Map.of(), properties);
    }

    /** As above, for the benchmarks matching {@code includes} (JMH regexes) with these {@code @Param} values. */
    static Options options(BenchOptions o, Path log, List<String> includes, Map<String, String> params, String... properties) {
        OptionsBuilder jmh = new OptionsBuilder();
        includes.forEach(jmh::include);
        params.forEach(jmh::param);
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx" + o.jmhHeap, "-XX:+UseG1GC"));
        for (String property : properties) {
            jvmArgs.add("-D" + property);
        }
        jvmArgs.add("-DTENANT_INDEX_LOG_LEVEL=WARN");
        return jmh.forks(1)
                .threads(1)
                .warmupIterations((int) o.jmhWarmup)
                .warmupTime(TimeValue.seconds(o.jmhSeconds))
                .measurementIterations((int) o.jmhIterations)
                .measurementTime(TimeValue.seconds(o.jmhSeconds))
                .jvmArgs(jvmArgs.toArray(String[]::new))
                .output(log.toString())
                .build();
    }

    /** The report's "how": the JMH setup and the sample count. */
    static String how(BenchOptions o, Statistics s) {
        return String.format(Locale.ROOT, "JMH SampleTime, 1 thread, 1 fork (-Xmx%s), %d×%d s warm-up, %d×%d s measured, %,d samples",
                o.jmhHeap, o.jmhWarmup, o.jmhSeconds, o.jmhIterations, o.jmhSeconds, s.getN());
    }

    /** A JMH SampleTime result's samples, mean, percentiles and max, in ns, for the report's details. */
    static Map<String, Object> details(Statistics s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("samples", s.getN());
        d.put("mean_ns", Math.round(s.getMean()));
        for (double p : new double[] {50, 90, 99, 99.9, 99.99}) {
            d.put("p" + Report.fmt(p) + "_ns", Math.round(s.getPercentile(p)));
        }
        d.put("max_ns", Math.round(s.getMax()));
        return d;
    }
}
