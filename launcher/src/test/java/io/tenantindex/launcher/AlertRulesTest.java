package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.testing.Prerequisites;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus configuration, checked by Prometheus's own {@code promtool}: the config and
 * rule files parse, and the unit tests in {@code alerts-test.yml} (each alert's threshold and
 * {@code for} duration on synthetic series, firing and not firing) pass.
 */
class AlertRulesTest {
    static final Path PROMETHEUS_DIR = Path.of("..", "docker", "prometheus");

    @Test
    void shouldPassPromtoolConfigAndRuleChecks() throws Exception {
        assertThat(promtool("check", "config", "prometheus.yml").output()).contains("SUCCESS: 1 rule files found");
    }

    @Test
    void shouldPassTheAlertRuleUnitTests() throws Exception {
        assertThat(promtool("test", "rules", "alerts-test.yml").output()).contains("SUCCESS");
    }

    private static Tools.Result promtool(String... args) throws Exception {
        Path promtool = Tools.executable("promtool").orElse(null);
        Prerequisites.require(promtool != null, "the alert rule checks need promtool from Debian's prometheus package "
                + "(apt-get install prometheus); CI installs it");
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Tools.Result result = Tools.run(PROMETHEUS_DIR, Duration.ofSeconds(60), command);
        assertThat(result.exitCode()).as("promtool %s: %s", String.join(" ", args), result.output()).isZero();
        return result;
    }
}
