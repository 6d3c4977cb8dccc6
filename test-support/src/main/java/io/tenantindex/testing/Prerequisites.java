package io.tenantindex.testing;

import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * For tests that need something a developer's machine may lack (a Debian package, root): there the
 * test is skipped, saying why; under {@code CI=true} it fails instead, so a missing install step in
 * {@code .ci/run} turns the build red rather than quietly skipping the test.
 */
public final class Prerequisites {
    private Prerequisites() {
    }

    /** Skips the test (fails it under {@code CI=true}) unless {@code met}; {@code reason} says what is missing and how to get it. */
    public static void require(boolean met, String reason) {
        require(met, reason, System.getenv());
    }

    static void require(boolean met, String reason, Map<String, String> env) {
        if (met) {
            return;
        }
        if ("true".equalsIgnoreCase(env.get("CI"))) {
            Assertions.fail(reason + " (CI=true: in CI this test must run, and .ci/run installs what it needs)");
        }
        Assumptions.abort(reason);
    }
}
