package io.tenantindex.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test's Server-Sent Events client over real HTTP: one thread reads the stream and collects its
 * events (and heartbeat comments) for assertions. {@link #pause} stops reading without closing, as
 * a consumer that reads nothing does.
 */
public final class SseReader implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    public record Event(String type, String id, JsonNode data) {
    }

    public final List<Event> events = new CopyOnWriteArrayList<>();
    public volatile int heartbeats;
    public volatile boolean ended;
    public final int status;
    private final InputStream body;
    private final Thread thread;
    private volatile boolean paused;

    private SseReader(InputStream body, int status) {
        this.body = body;
        this.status = status;
        this.thread = new Thread(this::read, "sse-reader");
        thread.setDaemon(true);
    }

    /** Opens {@code url} with {@code Accept: text/event-stream} and {@code headers} (name/value pairs) and starts reading. */
    public static SseReader open(String url, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Accept";
        all[1] = "text/event-stream";
        System.arraycopy(headers, 0, all, 2, headers.length);
        try {
            HttpResponse<InputStream> r = CLIENT.send(Http.builder(url, all).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            SseReader reader = new SseReader(r.body(), r.statusCode());
            reader.thread.start();
            return reader;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void pause() {
        paused = true;
    }

    public synchronized void resume() {
        paused = false;
        notifyAll();
    }

    public List<Event> ofType(String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 256)) {
            String type = null;
            String id = null;
            StringBuilder data = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                awaitResumed();
                if (line.startsWith(":")) {
                    heartbeats++;
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                } else if (line.isEmpty() && type != null) {
                    events.add(new Event(type, id, Json.MAPPER.readTree(data.toString())));
                    type = null;
                    id = null;
                    data.setLength(0);
                }
            }
        } catch (IOException e) {
            // Closed by the test or the server: the stream has ended.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ended = true;
    }

    private synchronized void awaitResumed() throws InterruptedException {
        while (paused) {
            wait();
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            body.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
