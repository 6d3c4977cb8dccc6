package io.tenantindex.writer.status;

import io.javalin.http.Header;
import io.tenantindex.common.Json;
import io.tenantindex.common.api.ColoStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Asks every colo's lookup-api for {@code GET /stats}, all at once and each within a bounded time,
 * and remembers a little history per colo: the lag of the last {@link #HISTORY} polls (the page's
 * sparkline) and the previous lookup count (for lookups per second). A colo that does not answer in
 * time, or answers with an error, is reported as down with the reason; it never delays the page by
 * more than the timeout.
 *
 * <p>Polls are shared: however many browsers watch the page, the colos are asked at most once per
 * {@code minInterval}.
 */
final class ColoPoller {
    static final int HISTORY = 60;

    private final HttpClient client;
    private final Duration timeout;
    private final Duration minInterval;
    private final LongSupplier clock;
    private final Map<String, ColoHistory> histories = new HashMap<>();
    private volatile Map<String, String> coloUrls;
    private List<ColoSample> last = List.of();
    private long lastPollAt = Long.MIN_VALUE;

    /** One colo as the page shows it; {@code stats} is its /stats body, null when down. */
    record ColoSample(String colo, String url, boolean up, String error, ColoStats stats, Double lookupsPerSecond,
                      List<Long> lagHistory, long polledAtMillis) {
    }

    private static final class ColoHistory {
        final Deque<Long> lag = new ArrayDeque<>(HISTORY);
        long lookups = -1;
        long lookupsAt;
    }

    ColoPoller(Map<String, String> coloUrls, Duration timeout, Duration minInterval, LongSupplier clock) {
        this.coloUrls = new LinkedHashMap<>(coloUrls);
        this.timeout = timeout;
        this.minInterval = minInterval;
        this.clock = clock;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    Map<String, String> coloUrls() {
        return coloUrls;
    }

    synchronized void coloUrls(Map<String, String> urls) {
        coloUrls = new LinkedHashMap<>(urls);
        histories.keySet().retainAll(urls.keySet());
        lastPollAt = Long.MIN_VALUE;
    }

    /** The colos' state, at most {@code minInterval} old. */
    synchronized List<ColoSample> poll() {
        long now = clock.getAsLong();
        if (lastPollAt != Long.MIN_VALUE && now - lastPollAt < minInterval.toMillis()) {
            return last;
        }
        Map<String, CompletableFuture<ColoStats>> pending = new LinkedHashMap<>();
        coloUrls.forEach((colo, url) -> pending.put(colo, fetchStats(url)));
        List<ColoSample> samples = new ArrayList<>(pending.size());
        for (Map.Entry<String, CompletableFuture<ColoStats>> e : pending.entrySet()) {
            String colo = e.getKey();
            ColoHistory history = histories.computeIfAbsent(colo, c -> new ColoHistory());
            ColoStats stats = null;
            String error = null;
            try {
                stats = e.getValue().join();
            } catch (CompletionException | java.util.concurrent.CancellationException failure) {
                error = describe(failure.getCause() == null ? failure : failure.getCause());
            }
            long polledAt = clock.getAsLong();
            Double rate = null;
            if (stats != null) {
                if (history.lag.size() == HISTORY) {
                    history.lag.removeFirst();
                }
                history.lag.addLast(stats.lag());
                long lookups = stats.lookups();
                if (history.lookups >= 0 && polledAt > history.lookupsAt && lookups >= history.lookups) {
                    rate = (lookups - history.lookups) * 1000.0 / (polledAt - history.lookupsAt);
                }
                history.lookups = lookups;
                history.lookupsAt = polledAt;
            } else {
                // A restart resets the colo's counters; do not compute a rate across it.
                history.lookups = -1;
            }
            samples.add(new ColoSample(colo, coloUrls.get(colo), stats != null, error, stats, rate,
                    List.copyOf(history.lag), polledAt));
        }
        last = List.copyOf(samples);
        lastPollAt = now;
        return last;
    }

    private CompletableFuture<ColoStats> fetchStats(String baseUrl) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(baseUrl + "/stats")).timeout(timeout)
                    .header(Header.ACCEPT, "application/json").GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("GET /stats answered " + response.statusCode());
                    }
                    try {
                        return Json.readAnswer(response.body(), ColoStats.class);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("GET /stats answered something that is not JSON");
                    }
                });
    }

    private String describe(Throwable t) {
        if (t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.http.HttpTimeoutException) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        if (t instanceof java.net.ConnectException) {
            return "connection refused";
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
