package io.tenantindex.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny real-HTTP client for tests: every call goes over loopback TCP to a running server. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    public static HttpResponse<String> get(String url, String... headers) {
        return send(builder(url, headers).GET().build());
    }

    public static HttpResponse<String> put(String url, String body, String... headers) {
        return send(builder(url, headers).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public static HttpResponse<String> putJson(String url, String json, String... headers) {
        return send(builder(url, headers).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public static HttpResponse<String> postJson(String url, String json, String... headers) {
        return send(builder(url, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public static HttpResponse<String> delete(String url, String... headers) {
        return send(builder(url, headers).DELETE().build());
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code headers} as name/value pairs. */
    public static HttpRequest.Builder builder(String url, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }
}
