package io.tenantindex.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP behaviour every tenant-index server shares, on a real Javalin server on a free port. */
class HttpServersTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static Javalin app;

    @BeforeAll
    static void start() {
        app = HttpServers.create(HttpServers.DEFAULT_MAX_BODY_BYTES, c -> {
            c.routes.get("/tenants/{id}", ctx -> ConditionalGet.json(ctx, "\"3\"", Map.of("tenantId", ctx.pathParam("id"))));
            c.routes.put("/tenants/{id}", ctx -> ctx.status(204));
            c.routes.delete("/tenants/{id}", ctx -> ctx.status(204));
            c.routes.post("/admin/rebuild", ctx -> ctx.status(202));
        }).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void shouldAcceptOnlyTwoHexDigitPercentEscapesInPaths() {
        assertThat(HttpServers.wellFormedEscapes("/tenants/acme")).isTrue();
        assertThat(HttpServers.wellFormedEscapes("/tenants/a%20b%2F%aF")).isTrue();
        assertThat(HttpServers.wellFormedEscapes("/usage/;%")).isFalse();
        assertThat(HttpServers.wellFormedEscapes("/tenants/%2")).isFalse();
        assertThat(HttpServers.wellFormedEscapes("/tenants/%zz")).isFalse();
        assertThat(HttpServers.wellFormedEscapes("/tenants/%%41")).isFalse();
        // A path as long as Jetty allows is checked in one pass, without the recursion a regex would need.
        assertThat(HttpServers.wellFormedEscapes("/" + "a".repeat(100_000))).isTrue();
    }

    @Test
    void shouldAnswerHeadWithTheHeadersOfGetAndNoBody() throws Exception {
        HttpResponse<String> get = send("GET", "/tenants/acme");
        HttpResponse<String> head = send("HEAD", "/tenants/acme");
        assertThat(head.statusCode()).isEqualTo(get.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(get.body()).isEqualTo("{\"tenantId\":\"acme\"}");
        for (String header : new String[] {"ETag", "Content-Type", "Content-Length"}) {
            assertThat(head.headers().firstValue(header)).as(header).isPresent().isEqualTo(get.headers().firstValue(header));
        }
    }

    @Test
    void shouldAnswerAnotherMethodOnAKnownPathWith405AndAllow() throws Exception {
        HttpResponse<String> post = send("POST", "/tenants/acme");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD, PUT, DELETE, OPTIONS");
        assertThat(post.body()).contains("\"error\":\"METHOD_NOT_ALLOWED\"");
        assertThat(send("GET", "/admin/rebuild").headers().firstValue("Allow")).hasValue("POST, OPTIONS");

        HttpResponse<String> options = send("OPTIONS", "/tenants/acme");
        assertThat(options.statusCode()).isEqualTo(204);
        assertThat(options.headers().firstValue("Allow")).hasValue("GET, HEAD, PUT, DELETE, OPTIONS");

        HttpResponse<String> unknown = send("POST", "/nowhere");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Allow")).isEmpty();
    }

    @Test
    void shouldAnswer304WhenIfNoneMatchNamesTheCurrentTag() throws Exception {
        for (String held : new String[] {"\"3\"", "W/\"3\"", "\"1\", \"3\"", "*"}) {
            HttpResponse<String> r = send("GET", "/tenants/acme", "If-None-Match", held);
            assertThat(r.statusCode()).as(held).isEqualTo(304);
            assertThat(r.body()).as(held).isEmpty();
            assertThat(r.headers().firstValue("ETag")).as(held).hasValue("\"3\"");
        }
        HttpResponse<String> changed = send("GET", "/tenants/acme", "If-None-Match", "\"2\"");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.body()).contains("acme");
    }

    @Test
    void shouldHoldABurstOfConnectsWithoutTheKernelDroppingOne() throws Exception {
        // Jetty's default queue of 50 overflowed at 64 connects one after another; a dropped SYN costs its client a second.
        int burst = 300;
        long overflowsBefore = listenOverflows();
        List<SocketChannel> channels = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < burst; i++) {
                SocketChannel channel = SocketChannel.open();
                channels.add(channel);
                channel.configureBlocking(false);
                if (!channel.connect(new InetSocketAddress("127.0.0.1", app.port()))) {
                    channel.register(selector, SelectionKey.OP_CONNECT);
                }
            }
            while (!selector.keys().isEmpty()) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (((SocketChannel) key.channel()).finishConnect()) {
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
                selector.selectNow();
            }
        } finally {
            for (SocketChannel channel : channels) {
                channel.close();
            }
        }
        assertThat(listenOverflows() - overflowsBefore)
                .as("SYNs the kernel dropped for a full accept queue during a burst of %d connects (net.core.somaxconn caps the queue)", burst)
                .isZero();
    }

    /** Linux's count of connections refused for a full accept queue, machine-wide (TcpExt ListenOverflows). */
    private static long listenOverflows() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
                List<String> names = List.of(lines.get(i).split(" "));
                return Long.parseLong(lines.get(i + 1).split(" ")[names.indexOf("ListenOverflows")]);
            }
        }
        throw new IllegalStateException("no TcpExt counters in /proc/net/netstat");
    }

    private static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
