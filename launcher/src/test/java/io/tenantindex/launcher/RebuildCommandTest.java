package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.tenantindex.common.http.HttpServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code rebuild}'s reading of a colo's answers: a rebuild that ends failed is reported at once, with why, exit 1. */
class RebuildCommandTest {
    private static final String STARTED = "{\"generation\":3,\"state\":\"running\",\"startedAt\":\"2026-01-01T00:00:00Z\","
            + "\"finishedAt\":null,\"recordsApplied\":0,\"recordsExpected\":40,\"percent\":0.0,\"recordsPerSecond\":0.0,\"etaSeconds\":null}";
    private static final String FAILED = "{\"generation\":3,\"state\":\"failed\",\"startedAt\":\"2026-01-01T00:00:00Z\","
            + "\"finishedAt\":\"2026-01-01T00:30:00Z\",\"recordsApplied\":10,\"recordsExpected\":40,\"percent\":25.0,"
            + "\"recordsPerSecond\":0.0,\"etaSeconds\":null,\"error\":\"not caught up within 1800000 ms (colo.rebuild.timeout.ms)\"}";

    private Javalin colo;

    @AfterEach
    void stop() {
        colo.stop();
    }

    @Test
    void shouldReportAFailedRebuildWithItsReasonAndExitOne() {
        colo = HttpServers.create(HttpServers.DEFAULT_MAX_BODY_BYTES, c -> {
            c.routes.post("/admin/rebuild", ctx -> ctx.status(202).contentType("application/json").result(STARTED));
            c.routes.get("/admin/rebuild", ctx -> ctx.contentType("application/json").result(FAILED));
        }).start("127.0.0.1", 0);
        PrintStream stderr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = new CommandLine(new TenantIndexCli()).execute("rebuild", "--colo", "ORD", "--colos", "ORD:" + colo.port(),
                    "--colo-host", "127.0.0.1", "--auth-token", "an-admin-token-of-enough-length", "--timeout", "PT1M");
        } finally {
            System.setErr(stderr);
        }
        assertThat(code).isEqualTo(TenantIndexCli.SERVER_ERROR);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("rebuild of ORD into generation 3 failed: "
                + "not caught up within 1800000 ms (colo.rebuild.timeout.ms); the serving generation goes on answering");
    }
}
