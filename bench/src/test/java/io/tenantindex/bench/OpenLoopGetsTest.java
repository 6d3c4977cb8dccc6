package io.tenantindex.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The open-loop generator against the JDK's HTTP server on a free loopback port. */
class OpenLoopGetsTest {
    static {
        // The JDK's server writes an answer's head and body apart: without this, Nagle and delayed ACKs hold each one 40 ms.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private HttpServer server;
    private ExecutorService executor;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /** Answers every request with {@code status} after {@code delayMillis}, one request at a time. */
    private int serve(int status, long delayMillis, boolean contentLength) throws IOException {
        server = HttpServer.create(new InetSocketAddress(LoadTools.HOST, 0), 0);
        executor = Executors.newSingleThreadExecutor();
        server.setExecutor(executor);
        server.createContext("/", exchange -> answer(exchange, status, delayMillis, contentLength));
        server.start();
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, int status, long delayMillis, boolean contentLength) throws IOException {
        try {
            TimeUnit.MILLISECONDS.sleep(delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = "{\"tenantId\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        // A length of 0 makes the JDK's server send the body chunked.
        exchange.sendResponseHeaders(status, contentLength ? body.length : 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void shouldSendEveryScheduledRequestAndCountItsAnswer() throws Exception {
        int port = serve(200, 0, true);
        OpenLoopGets.Result result = OpenLoopGets.run(port, i -> "/tenants/tn-" + i, 400, 4, 1, 1000);
        assertThat(result.ok()).isEqualTo(400);
        assertThat(result.errors()).isZero();
        assertThat(result.latencies().count()).isEqualTo(400);
        assertThat(result.generatorCpuNanos()).isPositive();
    }

    /**
     * One connection due every 10 ms to a server that takes 50 ms per answer: a closed-loop client would
     * report 50 ms for each; measured from when each was due, the backlog shows, the last ones waiting
     * about four seconds.
     */
    @Test
    void shouldMeasureEachRequestFromWhenItWasDueNotFromWhenItCouldBeSent() throws Exception {
        int port = serve(200, 50, true);
        OpenLoopGets.Result result = OpenLoopGets.run(port, i -> "/tenants/tn-" + i, 100, 1, 1, 1000);
        assertThat(result.ok()).isEqualTo(100);
        assertThat(result.latencies().max()).isGreaterThan(TimeUnit.SECONDS.toNanos(3));
        assertThat(result.latencies().percentile(50)).isGreaterThan(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void shouldCountAnswersOtherThan200AsErrors() throws Exception {
        int port = serve(404, 0, true);
        OpenLoopGets.Result result = OpenLoopGets.run(port, i -> "/tenants/tn-" + i, 200, 2, 1, 1000);
        assertThat(result.ok()).isZero();
        assertThat(result.errors()).isEqualTo(200);
    }

    @Test
    void shouldFailOnAnAnswerItCannotDelimit() throws Exception {
        int port = serve(200, 0, false);
        assertThatThrownBy(() -> OpenLoopGets.run(port, i -> "/tenants/tn-" + i, 100, 1, 1, 1000))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without Content-Length");
    }
}
