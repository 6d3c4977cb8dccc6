package io.tenantindex.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The CLI's HTTP calls to a running stack; failures become exit codes, not stack traces. */
final class ApiClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ApiClient() {
    }

    static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unreachable(request.build().uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable(request.build().uri(), e);
        }
    }

    static HttpRequest.Builder request(String base, String path) {
        return HttpRequest.newBuilder(URI.create(base + path));
    }

    /** 0 for 2xx, {@link TenantIndexCli#REJECTED} for 4xx, {@link TenantIndexCli#SERVER_ERROR} otherwise. */
    static int exitCode(HttpResponse<?> r) {
        int s = r.statusCode();
        return s / 100 == 2 ? 0 : s / 100 == 4 ? TenantIndexCli.REJECTED : TenantIndexCli.SERVER_ERROR;
    }

    static final class Unreachable extends RuntimeException {
        Unreachable(URI uri, Exception cause) {
            super("cannot reach " + uri.getScheme() + "://" + uri.getAuthority() + " (" + cause.getClass().getSimpleName() + ")", cause);
        }
    }
}
